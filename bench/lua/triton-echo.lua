-- The echo request in Triton's protocol (KServe v2): the time as an FP32 tensor of shape [1, 1].
wrk.method = "POST"
wrk.body = '{"inputs":[{"name":"time","shape":[1,1],"datatype":"FP32","data":[0]}]}'
wrk.headers["Content-Type"] = "application/json"
