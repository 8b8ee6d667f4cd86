import { Point, Quad } from './ocr.types';

export interface Rect {
  /** Corners ordered top-left, top-right, bottom-right, bottom-left. */
  corners: Quad;
  center: Point;
  /** Unit vectors along the two sides, and the side lengths. */
  axisU: Point;
  axisV: Point;
  lengthU: number;
  lengthV: number;
}

const cross = (o: Point, a: Point, b: Point) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);

/** Convex hull (Andrew's monotone chain), counter-clockwise in y-down image coordinates. */
export function convexHull(points: Point[]): Point[] {
  const sorted = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (sorted.length < 3) return sorted;
  const lower: Point[] = [];
  const upper: Point[] = [];
  for (const p of sorted) {
    while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], p) <= 0) lower.pop();
    lower.push(p);
  }
  for (let i = sorted.length - 1; i >= 0; i--) {
    const p = sorted[i];
    while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], p) <= 0) upper.pop();
    upper.push(p);
  }
  return lower.slice(0, -1).concat(upper.slice(0, -1));
}

/**
 * The smallest rectangle around the points (as OpenCV's minAreaRect): one of its sides lies on an
 * edge of the convex hull, so each hull edge is tried in turn.
 */
export function minAreaRect(points: Point[]): Rect {
  const hull = convexHull(points);
  if (hull.length === 1) hull.push([hull[0][0] + 1e-6, hull[0][1]]);
  let best: { area: number; u: Point; minU: number; maxU: number; minV: number; maxV: number } | undefined;
  for (let i = 0; i < hull.length; i++) {
    const a = hull[i];
    const b = hull[(i + 1) % hull.length];
    const length = Math.hypot(b[0] - a[0], b[1] - a[1]);
    if (length === 0) continue;
    const u: Point = [(b[0] - a[0]) / length, (b[1] - a[1]) / length];
    let minU = Infinity, maxU = -Infinity, minV = Infinity, maxV = -Infinity;
    for (const p of hull) {
      const pu = p[0] * u[0] + p[1] * u[1];
      const pv = -p[0] * u[1] + p[1] * u[0];
      minU = Math.min(minU, pu); maxU = Math.max(maxU, pu);
      minV = Math.min(minV, pv); maxV = Math.max(maxV, pv);
    }
    const area = (maxU - minU) * (maxV - minV);
    if (!best || area < best.area) best = { area, u, minU, maxU, minV, maxV };
  }
  const { u, minU, maxU, minV, maxV } = best!;
  const v: Point = [-u[1], u[0]];
  const at = (pu: number, pv: number): Point => [pu * u[0] + pv * v[0], pu * u[1] + pv * v[1]];
  const centerU = (minU + maxU) / 2;
  const centerV = (minV + maxV) / 2;
  return {
    corners: orderCorners([at(minU, minV), at(maxU, minV), at(maxU, maxV), at(minU, maxV)]),
    center: at(centerU, centerV),
    axisU: u,
    axisV: v,
    lengthU: maxU - minU,
    lengthV: maxV - minV,
  };
}

/** The rectangle grown by `distance` on every side (what a round-joined polygon offset of a rectangle boils down to). */
export function growRect(rect: Rect, distance: number): Rect {
  const halfU = rect.lengthU / 2 + distance;
  const halfV = rect.lengthV / 2 + distance;
  const [cx, cy] = rect.center;
  const { axisU: u, axisV: v } = rect;
  const at = (su: number, sv: number): Point => [cx + su * halfU * u[0] + sv * halfV * v[0], cy + su * halfU * u[1] + sv * halfV * v[1]];
  return {
    ...rect,
    corners: orderCorners([at(-1, -1), at(1, -1), at(1, 1), at(-1, 1)]),
    lengthU: 2 * halfU,
    lengthV: 2 * halfV,
  };
}

/** PaddleOCR's corner order: the two leftmost points give top-left and bottom-left, the others the right side. */
export function orderCorners(points: Point[]): Quad {
  const byX = [...points].sort((a, b) => a[0] - b[0]);
  const [topLeft, bottomLeft] = byX[0][1] <= byX[1][1] ? [byX[0], byX[1]] : [byX[1], byX[0]];
  const [topRight, bottomRight] = byX[2][1] <= byX[3][1] ? [byX[2], byX[3]] : [byX[3], byX[2]];
  return [topLeft, topRight, bottomRight, bottomLeft];
}
