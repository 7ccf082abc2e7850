/**
 * The loss curve (binary cross-entropy per step, logarithmic axis) with every network edit
 * marked as a dashed line and its name, so the effect of each edit on training shows.
 */
export interface EditMark {
  step: number;
  label: string;
}

export class LossChart {
  private readonly ctx: CanvasRenderingContext2D;

  constructor(private readonly canvas: HTMLCanvasElement) {
    this.ctx = canvas.getContext("2d")!;
  }

  draw(losses: readonly number[], marks: readonly EditMark[]): void {
    const { width, height } = this.canvas;
    const ctx = this.ctx;
    const pad = { left: 44, right: 8, top: 8, bottom: 20 };
    ctx.clearRect(0, 0, width, height);
    ctx.fillStyle = "white";
    ctx.fillRect(0, 0, width, height);
    ctx.font = "11px system-ui, sans-serif";
    ctx.fillStyle = "#444";
    const finite = losses.filter((l) => Number.isFinite(l) && l > 0);
    if (finite.length < 2) {
      ctx.fillText("the loss curve appears once training runs", pad.left, height / 2);
      return;
    }
    let lo = Math.log10(Math.min(...finite));
    let hi = Math.log10(Math.max(...finite));
    if (hi - lo < 0.1) [lo, hi] = [lo - 0.05, hi + 0.05];
    const n = losses.length;
    const w = width - pad.left - pad.right;
    const h = height - pad.top - pad.bottom;
    const sx = (i: number) => pad.left + (i / Math.max(n - 1, 1)) * w;
    const sy = (l: number) => pad.top + ((hi - Math.log10(l)) / (hi - lo)) * h;
    // Gridlines at powers of ten (and labels).
    ctx.strokeStyle = "#e6e6e6";
    ctx.lineWidth = 1;
    // Half decades while the range is short, whole ones (every other, ...) when it is long.
    const every = hi - lo <= 2 ? 0.5 : Math.ceil((hi - lo) / 5);
    for (let e = Math.ceil(lo / every) * every; e <= hi; e += every) {
      const y = sy(10 ** e);
      ctx.beginPath();
      ctx.moveTo(pad.left, y);
      ctx.lineTo(width - pad.right, y);
      ctx.stroke();
      ctx.fillText((10 ** e).toPrecision(2), 4, y + 4);
    }
    ctx.fillText(`step ${n}`, width - pad.right - 60, height - 5);
    ctx.fillText("0", pad.left, height - 5);
    // Edits.
    ctx.setLineDash([4, 3]);
    ctx.strokeStyle = "#999";
    for (const m of marks) {
      if (m.step <= 0 || m.step >= n) continue;
      const x = sx(m.step);
      ctx.beginPath();
      ctx.moveTo(x, pad.top);
      ctx.lineTo(x, pad.top + h);
      ctx.stroke();
    }
    ctx.setLineDash([]);
    // The curve, one point per pixel column at most.
    ctx.strokeStyle = "#2b6cb0";
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    const stride = Math.max(1, Math.floor(n / w));
    let started = false;
    for (let i = 0; i < n; i += stride) {
      const l = losses[i]!;
      if (!(Number.isFinite(l) && l > 0)) continue;
      if (started) ctx.lineTo(sx(i), sy(l));
      else ctx.moveTo(sx(i), sy(l));
      started = true;
    }
    ctx.stroke();
  }
}
