/** The request: 16 numbers describing one sample. */
export interface MlpRequest {
  features: number[];
}

/** The answer: the most probable class and the probability of each of the 10. */
export interface MlpResponse {
  label: number;
  probabilities: number[];
}
