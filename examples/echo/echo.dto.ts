/** The echo request: how many seconds the inference stage sleeps, as a number or a numeric string (`http :8000/inference time=1.5` sends a string). */
export interface EchoRequest {
  time: number | string;
}

export interface EchoResponse {
  msg: string;
}
