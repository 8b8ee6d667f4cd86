export interface DecodedText {
  text: string;
  /** Mean probability of the characters kept (0 when there are none). */
  confidence: number;
}

/**
 * CTC greedy decoding of one line: the most likely class at each time step, repeats merged,
 * blanks (class 0) dropped. `probabilities` holds `steps` rows of `characters.length` values.
 */
export function ctcGreedyDecode(probabilities: Float32Array, steps: number, characters: string[]): DecodedText {
  const classes = characters.length;
  let text = '';
  let sum = 0;
  let kept = 0;
  let previous = -1;
  for (let t = 0; t < steps; t++) {
    let best = 0;
    let bestScore = -Infinity;
    const row = t * classes;
    for (let k = 0; k < classes; k++) {
      if (probabilities[row + k] > bestScore) {
        bestScore = probabilities[row + k];
        best = k;
      }
    }
    if (best !== 0 && best !== previous) {
      text += characters[best];
      sum += bestScore;
      kept++;
    }
    previous = best;
  }
  return { text, confidence: kept > 0 ? sum / kept : 0 };
}
