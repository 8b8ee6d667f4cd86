-- One MLP sample in Triton's protocol (KServe v2): 16 features as an FP32 tensor of shape [1, 16].
wrk.method = "POST"
wrk.body = '{"inputs":[{"name":"features","shape":[1,16],"datatype":"FP32","data":[0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1.0,1.1,1.2,1.3,1.4,1.5,1.6]}]}'
wrk.headers["Content-Type"] = "application/json"
