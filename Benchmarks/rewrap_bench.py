"""Helpers of Benchmarks/rewrap.sh: seed organisations with wrapped data keys, and the Python baseline of a
master-key re-wrap (asyncpg + cryptography), written to the same storage format as Bifrost's KeyRing:
sealed = nonce (12) || ciphertext || tag (16), associated data naming the organisation and both versions."""
import asyncio, base64, os, sys, time
import asyncpg
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

CHECK_TEXT = b"bifrost master key check"


def seal(key, plain, context):
    nonce = os.urandom(12)
    return nonce + AESGCM(key).encrypt(nonce, plain, context)


def unseal(key, sealed, context):
    return AESGCM(key).decrypt(sealed[:12], sealed[12:], context)


def wrap_context(org, version, master_version):
    scope = f"org:{org}" if org else "global"
    return f"bifrost:data-key:{scope}:v{version}:master-v{master_version}".encode()


async def seed(dsn, master_b64, count):
    """`count` organisations, each with data key v1 wrapped by master key v1 (which must exist)."""
    master = base64.b64decode(master_b64)
    conn = await asyncpg.connect(dsn)
    rows = await conn.fetch(
        "INSERT INTO organizations (name) SELECT 'Bench ' || i FROM generate_series(1, $1) AS i RETURNING id", count
    )
    records = [(r["id"], 1, 1, seal(master, os.urandom(32), wrap_context(str(r["id"]), 1, 1))) for r in rows]
    await conn.copy_records_to_table(
        "data_keys", records=records, columns=["organization_id", "version", "master_version", "wrapped"]
    )
    await conn.close()


async def rewrap(dsn, keys_b64, batch):
    """Registers the last key as the next master version, then re-wraps every data key under it, `batch` per
    transaction, as `bifrost keys rotate` does. `keys_b64`: comma-separated, every master key by version."""
    keys = [base64.b64decode(k) for k in keys_b64.split(",")]
    conn = await asyncpg.connect(dsn)
    current = len(keys)
    await conn.execute(
        "INSERT INTO master_keys (version, check_value) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        current, seal(keys[-1], CHECK_TEXT, f"bifrost:master-check:v{current}".encode()),
    )
    start = time.perf_counter()
    done = 0
    while True:
        async with conn.transaction():
            rows = await conn.fetch(
                """SELECT organization_id, version, master_version, wrapped FROM data_keys
                   WHERE master_version <> $1
                   ORDER BY coalesce(organization_id, '00000000-0000-0000-0000-000000000000'::uuid), version
                   LIMIT $2 FOR UPDATE""", current, batch)
            if not rows:
                break
            orgs, versions, wrapped = [], [], []
            for r in rows:
                org = str(r["organization_id"]) if r["organization_id"] else None
                key = unseal(keys[r["master_version"] - 1], r["wrapped"], wrap_context(org, r["version"], r["master_version"]))
                orgs.append(r["organization_id"] or "00000000-0000-0000-0000-000000000000")
                versions.append(r["version"])
                wrapped.append(seal(keys[-1], key, wrap_context(org, r["version"], current)))
            await conn.execute(
                """UPDATE data_keys AS d SET master_version = $1, wrapped = u.wrapped
                   FROM unnest($2::uuid[], $3::int[], $4::bytea[]) AS u(organization_id, version, wrapped)
                   WHERE coalesce(d.organization_id, '00000000-0000-0000-0000-000000000000'::uuid) = u.organization_id
                     AND d.version = u.version""", current, orgs, versions, wrapped)
            done += len(rows)
    print(f"re-wrapped {done} in {time.perf_counter() - start:.3f} s")
    await conn.close()


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command == "seed":
        asyncio.run(seed(args[0], args[1], int(args[2])))
    elif command == "rewrap":
        asyncio.run(rewrap(args[0], args[1], int(args[2])))
