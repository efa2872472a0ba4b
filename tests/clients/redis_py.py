"""redis-py's everyday paths against the server at port argv[1]: pipelines and
transactions with WATCH, pub/sub, SCAN iterators, Lua scripts through
register_script (EVALSHA, then EVAL on NOSCRIPT), streams with a consumer group,
blocking pops, RESP3, and the typed replies of the common commands. Prints one line
per check; tests/client_libraries.rs compares the output on redis-server and on ours.
"""
import sys

import redis

port = int(sys.argv[1])
r = redis.Redis(port=port, decode_responses=True)
r.flushall()

pipe = r.pipeline()
pipe.set("a", 1).incr("a").incrbyfloat("a", 0.5).get("a").expire("a", 100).ttl("a")
print("pipeline", pipe.execute())

r.set("balance", 10)
with r.pipeline() as tx:
    tx.watch("balance")
    r.set("balance", 20)  # another client's write dooms the transaction
    tx.multi()
    tx.incr("balance")
    try:
        tx.execute()
    except redis.WatchError:
        print("watch", "aborted", r.get("balance"))

def transfer(pipe):
    value = int(pipe.get("balance"))
    pipe.multi()
    pipe.set("balance", value + 5)

print("transaction", r.transaction(transfer, "balance"), r.get("balance"))

p = r.pubsub()
p.subscribe("news")
p.psubscribe("n*")
print("subscribed", [p.get_message(timeout=1)["type"] for _ in range(2)])
print("receivers", r.publish("news", "hello"))
print("messages", sorted((m["type"], m["channel"], m["data"])
                         for m in (p.get_message(timeout=1) for _ in range(2))))
p.close()

r.mset({f"key:{i}": i for i in range(50)})
r.hset("h", mapping={f"f{i}": i for i in range(30)})
print("scan_iter", len(list(r.scan_iter(match="key:*", count=7))))
print("hscan_iter", sorted(k for k, _ in r.hscan_iter("h", match="f1*")))

script = r.register_script("return {KEYS[1], ARGV[1], redis.call('incr', KEYS[1])}")
print("script", script(keys=["counter"], args=["x"]), script(keys=["counter"], args=["y"]))
r.script_flush()
print("script after flush", script(keys=["counter"], args=["z"]))

r.xadd("stream", {"f": "1"}, id="1-1")
r.xadd("stream", {"f": "2"}, id="2-1")
r.xgroup_create("stream", "group", id="0")
print("xreadgroup", r.xreadgroup("group", "alice", {"stream": ">"}, count=1))
print("xpending", r.xpending("stream", "group"))
print("xack", r.xack("stream", "group", "1-1"))
print("xautoclaim", r.xautoclaim("stream", "group", "bob", 0, start_id="0-0"))
print("xinfo", r.xinfo_stream("stream")["length"], r.xinfo_groups("stream")[0]["pending"])

print("blpop timeout", r.blpop(["empty"], timeout=0.1))
r.rpush("list", "x", "y")
print("blpop", r.blpop(["empty", "list"], timeout=1))
r.zadd("z", {"a": 1, "b": 2.5, "c": -1})
print("zrange", r.zrange("z", 0, -1, withscores=True))
print("zrangebyscore", r.zrangebyscore("z", "(1", "+inf"))
print("sets", sorted(r.sinter("s1", "s2")), r.sadd("s1", "a", "b"), r.smembers("s1") == {"a", "b"})
print("bitfield", r.bitfield("bf").set("u8", 0, 200).incrby("u8", 0, 100, overflow="SAT").execute())
print("hll", r.pfadd("hll", *"abcdefg"), r.pfcount("hll"))
print("geo", r.geoadd("g", (13.361389, 38.115556, "Palermo")), r.geopos("g", "Palermo"))
print("object", r.object("encoding", "h"), r.type("z"), r.exists("a", "nope"))
try:
    r.incr("h")
except redis.ResponseError as err:
    print("error", err)

r3 = redis.Redis(port=port, protocol=3, decode_responses=True)
print("resp3", r3.hgetall("h")["f7"], r3.zscore("z", "b"), r3.smembers("s1") == {"a", "b"})
print("client", r.client_setname("me"), r.client_getname())
