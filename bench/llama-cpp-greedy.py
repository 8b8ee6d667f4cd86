"""Greedy continuation of chat prompts by llama.cpp (llama-cpp-python) on a GGUF file, temperature 0.

Reads {"gguf": path, "prompts": [rendered chat text, ...], "tokens": n} as JSON on stdin; prints
[{"prompt": [ids], "generated": [ids]}, ...] as JSON: the prompt as llama.cpp tokenises it (special
tokens parsed) and its first n greedy tokens, stopping at end of sequence.
"""
import json
import sys

from llama_cpp import Llama

request = json.load(sys.stdin)
llm = Llama(model_path=request["gguf"], n_ctx=2048, n_threads=2, n_batch=512, verbose=False, seed=0)
eos = llm.token_eos()
results = []
for text in request["prompts"]:
    prompt = llm.tokenize(text.encode("utf-8"), add_bos=False, special=True)
    llm.reset()
    generated = []
    for token in llm.generate(prompt, temp=0.0, top_k=1, top_p=1.0, repeat_penalty=1.0, reset=True):
        generated.append(token)
        if token == eos or len(generated) == request["tokens"]:
            break
    results.append({"prompt": prompt, "generated": generated})
print(json.dumps(results))
