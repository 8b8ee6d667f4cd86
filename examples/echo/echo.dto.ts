/** The echo request: how many seconds the inference stage sleeps. */
export interface EchoRequest {
  time: number;
}

export interface EchoResponse {
  msg: string;
}
