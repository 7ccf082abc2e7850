import { installTensorMethodOps } from "../tensor.js";
import { astype } from "./asarray.js";
import { add, subtract, multiply, divide, power, negative } from "./arithmetic.js";
import { sum, mean, max, min } from "./reductions.js";
import { reshape, transpose } from "./shape.js";
import { matmul } from "./linalg.js";
import { take } from "./indexing.js";

installTensorMethodOps({ add, subtract, multiply, divide, power, negative, matmul, sum, mean, max, min, reshape, transpose, astype, take });
