"""schemathesis hooks for `npm run fuzz`: msgpack bodies, which the service accepts and answers."""
import msgpack
import schemathesis

INT64 = (-(2**63), 2**64 - 1)


def _packable(value):
    """msgpack has no integers past 64 bits: such generated values are sent as floats."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and not INT64[0] <= value <= INT64[1]:
        return float(value)
    if isinstance(value, list):
        return [_packable(item) for item in value]
    if isinstance(value, dict):
        return {key: _packable(item) for key, item in value.items()}
    return value


@schemathesis.serializer("application/msgpack")
def to_msgpack(ctx, value):
    return msgpack.packb(_packable(value), use_bin_type=True)


@schemathesis.deserializer("application/msgpack")
def from_msgpack(ctx, response):
    return msgpack.unpackb(response.content, raw=False)
