-- One MLP sample as a batch of one, for a server whose batching API takes a batch per request.
wrk.method = "POST"
wrk.body = '{"features":[[0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1.0,1.1,1.2,1.3,1.4,1.5,1.6]]}'
wrk.headers["Content-Type"] = "application/json"
