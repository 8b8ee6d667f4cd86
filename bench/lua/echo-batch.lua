-- The echo request as a batch of one, for a server whose batching API takes a batch per request.
wrk.method = "POST"
wrk.body = '{"time":[0]}'
wrk.headers["Content-Type"] = "application/json"
