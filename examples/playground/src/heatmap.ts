/**
 * The decision boundary: the network's probability of class 1 over the plane as a heat map
 * (orange for class 0, white at 0.5, blue for class 1), with the data points on top.
 */
import { np, type Tensor } from "@connex/core";
import type { Dataset } from "./datasets.js";

/** The plane shown: [-EXTENT, EXTENT]². */
export const EXTENT = 1.5;
/** Grid cells per side (the network is evaluated at every cell centre). */
export const GRID = 48;

const CLASS0 = [242, 142, 43] as const; // PALETTE.output
const CLASS1 = [43, 108, 176] as const; // PALETTE.positive

/** The grid's cell centres as a [GRID², 2] tensor, row by row from the top. */
export function gridPoints(): Tensor {
  const xs = new Float32Array(GRID * GRID * 2);
  for (let r = 0; r < GRID; r++) {
    for (let c = 0; c < GRID; c++) {
      const i = r * GRID + c;
      xs[2 * i] = -EXTENT + ((c + 0.5) * 2 * EXTENT) / GRID;
      xs[2 * i + 1] = EXTENT - ((r + 0.5) * 2 * EXTENT) / GRID;
    }
  }
  return np.array(xs).reshape([GRID * GRID, 2]);
}

function mix(p: number): [number, number, number] {
  // p in [0, 1]: class 0 colour -> white -> class 1 colour, pale so the points stand out.
  const t = Math.abs(2 * p - 1) * 0.75;
  const target = p >= 0.5 ? CLASS1 : CLASS0;
  return [255 + (target[0] - 255) * t, 255 + (target[1] - 255) * t, 255 + (target[2] - 255) * t];
}

export class HeatMap {
  private readonly ctx: CanvasRenderingContext2D;
  private readonly cells: HTMLCanvasElement;
  private readonly cellCtx: CanvasRenderingContext2D;
  private readonly image: ImageData;

  constructor(private readonly canvas: HTMLCanvasElement) {
    this.ctx = canvas.getContext("2d")!;
    this.cells = document.createElement("canvas");
    this.cells.width = GRID;
    this.cells.height = GRID;
    this.cellCtx = this.cells.getContext("2d")!;
    this.image = this.cellCtx.createImageData(GRID, GRID);
  }

  /** Draw the probabilities (one per grid cell, row by row) and the dataset's points. */
  draw(probabilities: ArrayLike<number>, data: Dataset): void {
    const px = this.image.data;
    for (let i = 0; i < GRID * GRID; i++) {
      const [r, g, b] = mix(probabilities[i]!);
      px[4 * i] = r;
      px[4 * i + 1] = g;
      px[4 * i + 2] = b;
      px[4 * i + 3] = 255;
    }
    this.cellCtx.putImageData(this.image, 0, 0);
    const { width, height } = this.canvas;
    const ctx = this.ctx;
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(this.cells, 0, 0, width, height);
    // Axes through the origin.
    ctx.strokeStyle = "rgba(0,0,0,0.15)";
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(width / 2, 0);
    ctx.lineTo(width / 2, height);
    ctx.moveTo(0, height / 2);
    ctx.lineTo(width, height / 2);
    ctx.stroke();
    const sx = (x: number) => ((x + EXTENT) / (2 * EXTENT)) * width;
    const sy = (y: number) => ((EXTENT - y) / (2 * EXTENT)) * height;
    for (const p of data.points) {
      ctx.beginPath();
      ctx.arc(sx(p.x1), sy(p.x2), 3.2, 0, 2 * Math.PI);
      ctx.fillStyle = p.label === 1 ? `rgb(${CLASS1.join(",")})` : `rgb(${CLASS0.join(",")})`;
      ctx.fill();
      ctx.strokeStyle = "white";
      ctx.lineWidth = 1;
      ctx.stroke();
    }
  }
}
