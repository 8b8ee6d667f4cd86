-- POSTs the JSON bodies of the file named by EMBEDDING_BODIES (one a line), each in turn.
local bodies = {}
for line in io.lines(os.getenv("EMBEDDING_BODIES")) do
  bodies[#bodies + 1] = line
end
local at = 0

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

request = function()
  at = at % #bodies + 1
  return wrk.format(nil, nil, nil, bodies[at])
end
