-- The echo pipeline's request: no sleep in the inference stage.
wrk.method = "POST"
wrk.body = '{"time":0}'
wrk.headers["Content-Type"] = "application/json"
