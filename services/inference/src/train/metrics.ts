/** Share of predictions equal to the labels. */
export function accuracy(predicted: readonly number[], labels: readonly number[]): number {
  let ok = 0;
  predicted.forEach((p, i) => {
    if (p === labels[i]) ok++;
  });
  return ok / labels.length;
}

/** ROC AUC via the rank-sum (Mann–Whitney) formula, ties counted half. */
export function rocAuc(scores: readonly number[], labels: readonly number[]): number {
  const idx = scores.map((_, i) => i).sort((a, b) => (scores[a] as number) - (scores[b] as number));
  let rankSumPos = 0;
  let pos = 0;
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && scores[idx[j + 1] as number] === scores[idx[i] as number]) j++;
    const avgRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (labels[idx[k] as number] === 1) {
        rankSumPos += avgRank;
        pos++;
      }
    }
    i = j + 1;
  }
  const neg = labels.length - pos;
  if (pos === 0 || neg === 0) return Number.NaN;
  return (rankSumPos - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** Fraction rounded for metadata files: stable text across runs and platforms. */
export const round4 = (x: number): number => Math.round(x * 1e4) / 1e4;
