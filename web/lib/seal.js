/*
 * seal.js — a bid envelope sealer for the browser, written from docs/envelope.md with WebCrypto
 * alone (no library): HPKE base mode (RFC 9180) with DHKEM(P-256, HKDF-SHA256), HKDF-SHA256 and
 * AES-256-GCM wraps a fresh content key for the lot's opening key; the bid container is
 * encrypted in 64 KiB AES-256-GCM chunks under a key derived with a key commitment; the bidder
 * signs everything with ECDSA P-256 / SHA-256, which WebCrypto gives as raw r‖s — the form the
 * envelope carries. Everything happens on the bidder's machine: the private key never leaves
 * the page. web/bid.js drives it; tests/web/test_bid_page.py checks in Chromium that what it
 * seals is accepted, opened at the ceremony and matches the published test vector.
 *
 * GGZYSeal.canonical(value)                     canonical JSON text (docs/audit.md §1)
 * GGZYSeal.container(summary, docs)             the plaintext (§4.1): summary object, [{name, bytes}]
 * GGZYSeal.importSigningKey(pem)                {key, keyId} from a PKCS#8 PEM P-256 private key
 * GGZYSeal.signAct(key, domain, fields)         a signed act's signature (docs/audit.md §8), base64
 * GGZYSeal.signedBody(input, me, domain, fields) the body members of the signed-in person's act:
 *                                               {key_id, signed_us, signature}, signed with the key
 *                                               file chosen in input (never sent), dated by the
 *                                               platform's clock, binding platform and user_id
 * GGZYSeal.seal(header, openingPk, key, pt, fixed)  the signed envelope (Uint8Array)
 * GGZYSeal.deriveKeyPair(ikm)                   RFC 9180 §7.1.3 DeriveKeyPair (for test vectors)
 * GGZYSeal.importAgreementKey(pem), hpkeOpen(me, enc, info, ct)
 *                                               a custodian opens their sealed share (custodian.js)
 * GGZYSeal.openEnvelope(env, sk, pk)            re-derive an opening's decryption (opening.js)
 */
"use strict";

const GGZYSeal = (() => {
  const subtle = crypto.subtle;
  const te = new TextEncoder();
  const CHUNK = 65536;
  const SUITE_KEM = concat(te.encode("KEM"), u16(0x0010));
  const SUITE_HPKE = concat(te.encode("HPKE"), u16(0x0010), u16(0x0001), u16(0x0002));
  const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

  function concat(...parts) {
    let n = 0;
    for (const p of parts) n += p.length;
    const out = new Uint8Array(n);
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }
  function u16(v) { return new Uint8Array([(v >>> 8) & 0xff, v & 0xff]); }
  function u32(v) { return new Uint8Array([(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff]); }
  function u64(v) { /* v: a safe integer */
    const out = new Uint8Array(8);
    let x = BigInt(v);
    for (let i = 7; i >= 0; i--, x >>= 8n) out[i] = Number(x & 0xffn);
    return out;
  }
  function hex(b) { return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join(""); }
  function unhex(s) {
    if (typeof s !== "string" || s.length % 2 || /[^0-9a-fA-F]/.test(s)) throw new Error("not hex");
    const out = new Uint8Array(s.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(s.substr(2 * i, 2), 16);
    return out;
  }
  async function sha256(b) { return new Uint8Array(await subtle.digest("SHA-256", b)); }

  /* docs/audit.md §1: keys sorted by their UTF-8 bytes, no whitespace, integers only; strings
   * as JSON.stringify writes them (", \ and control characters escaped, \u00XX lower-case). */
  function canonical(v) {
    if (v === null || typeof v === "boolean") return JSON.stringify(v);
    if (typeof v === "number") {
      if (!Number.isSafeInteger(v)) throw new Error("canonical JSON takes integers only");
      return String(v);
    }
    if (typeof v === "string") return JSON.stringify(v);
    if (Array.isArray(v)) return "[" + v.map(canonical).join(",") + "]";
    const cmp = (a, b) => {
      const x = te.encode(a), y = te.encode(b);
      for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
      return x.length - y.length;
    };
    return "{" + Object.keys(v).sort(cmp).map((k) => JSON.stringify(k) + ":" + canonical(v[k])).join(",") + "}";
  }

  /* §4.1: "GGZYBID1" | u32 S | summary | u32 N | N × (u16 L | name | u64 D | document) */
  function container(summary, docs) {
    if (typeof summary.price_fen !== "number" || !Number.isSafeInteger(summary.price_fen) || summary.price_fen < 0)
      throw new Error("the summary needs price_fen, an integer number of fen ≥ 0");
    const s = te.encode(canonical(summary));
    if (s.length < 1 || s.length > 16384) throw new Error("the summary is over 16,384 bytes");
    if (docs.length > 256) throw new Error("at most 256 documents");
    const seen = new Set();
    const parts = [te.encode("GGZYBID1"), u32(s.length), s, u32(docs.length)];
    for (const d of docs) {
      const name = te.encode(d.name);
      if (name.length < 1 || name.length > 255 || /[\/\\\u0000-\u001f\u007f]/.test(d.name) ||
          d.name === "." || d.name === "..")
        throw new Error("document name not allowed: " + JSON.stringify(d.name) +
                        " (1–255 bytes, no / or \\ or control characters)");
      if (seen.has(d.name)) throw new Error("two documents are named " + JSON.stringify(d.name));
      seen.add(d.name);
      parts.push(u16(name.length), name, u64(d.bytes.length), d.bytes);
    }
    return concat(...parts);
  }

  /* ---- HKDF and HPKE's labeled steps, on HMAC-SHA256 ---- */
  async function hmac(key, data) {
    const k = await subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    return new Uint8Array(await subtle.sign("HMAC", k, data));
  }
  function extract(salt, ikm) { return hmac(salt.length ? salt : new Uint8Array(32), ikm); }
  async function expand(prk, info, n) {
    let out = new Uint8Array(0), t = new Uint8Array(0);
    for (let i = 1; out.length < n; i++) {
      t = await hmac(prk, concat(t, info, new Uint8Array([i])));
      out = concat(out, t);
    }
    return out.slice(0, n);
  }
  function labeledExtract(suite, salt, label, ikm) {
    return extract(salt, concat(te.encode("HPKE-v1"), suite, te.encode(label), ikm));
  }
  function labeledExpand(suite, prk, label, info, n) {
    return expand(prk, concat(u16(n), te.encode("HPKE-v1"), suite, te.encode(label), info), n);
  }
  async function hkdf(ikm, salt, info, n) { return expand(await extract(salt, ikm), info, n); }

  async function aesGcm(key, iv, aad, pt) {
    const k = await subtle.importKey("raw", key, "AES-GCM", false, ["encrypt"]);
    return new Uint8Array(await subtle.encrypt({ name: "AES-GCM", iv, additionalData: aad, tagLength: 128 }, k, pt));
  }

  /* RFC 9180 §7.1.3 DeriveKeyPair for P-256: a deterministic key pair from ikm (test vectors). */
  async function deriveKeyPair(ikm) {
    const prk = await labeledExtract(SUITE_KEM, new Uint8Array(0), "dkp_prk", ikm);
    for (let counter = 0; counter < 256; counter++) {
      const b = await labeledExpand(SUITE_KEM, prk, "candidate", new Uint8Array([counter]), 32);
      const sk = BigInt("0x" + hex(b));
      if (sk !== 0n && sk < P256_ORDER) return privateFromScalar(b, "ECDH", ["deriveBits"]);
    }
    throw new Error("DeriveKeyPairError");
  }
  /* A P-256 key pair from a 32-byte scalar: PKCS#8 without the public key, which WebCrypto
   * computes; JWK round trip to get it out. */
  async function privateFromScalar(d, name, usages) {
    const pkcs8 = concat(unhex("3041020100301306072a8648ce3d020106082a8648ce3d030107042730250201010420"), d);
    const tmp = await subtle.importKey("pkcs8", pkcs8, { name, namedCurve: "P-256" }, true, usages);
    const jwk = await subtle.exportKey("jwk", tmp);
    const privateKey = await subtle.importKey("jwk", jwk, { name, namedCurve: "P-256" }, false, usages);
    delete jwk.d;
    jwk.key_ops = [];
    const publicKey = await subtle.importKey("jwk", jwk, { name, namedCurve: "P-256" }, true, []);
    return { privateKey, publicKey };
  }

  /* HPKE's key schedule in base mode (RFC 9180 §5.1) from the DH result: {key, nonce}. */
  async function keySchedule(dh, enc, pkRm, info) {
    const eae = await labeledExtract(SUITE_KEM, new Uint8Array(0), "eae_prk", dh);
    const shared = await labeledExpand(SUITE_KEM, eae, "shared_secret", concat(enc, pkRm), 32);
    const ctx = concat(new Uint8Array([0]),
                       await labeledExtract(SUITE_HPKE, new Uint8Array(0), "psk_id_hash", new Uint8Array(0)),
                       await labeledExtract(SUITE_HPKE, new Uint8Array(0), "info_hash", info));
    const secret = await labeledExtract(SUITE_HPKE, shared, "secret", new Uint8Array(0));
    return { key: await labeledExpand(SUITE_HPKE, secret, "key", ctx, 32),
             nonce: await labeledExpand(SUITE_HPKE, secret, "base_nonce", ctx, 12) };
  }

  /* HPKE base mode SetupBaseS + Seal at sequence 0 (docs/envelope.md §3). */
  async function hpkeSeal(pkR, info, pt, ephemeral) {
    const pub = await subtle.importKey("raw", pkR, { name: "ECDH", namedCurve: "P-256" }, false, []);
    const e = ephemeral || await subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, true, ["deriveBits"]);
    const enc = new Uint8Array(await subtle.exportKey("raw", e.publicKey));
    const dh = new Uint8Array(await subtle.deriveBits({ name: "ECDH", public: pub }, e.privateKey, 256));
    const ks = await keySchedule(dh, enc, pkR, info);
    return { enc, ct: await aesGcm(ks.key, ks.nonce, new Uint8Array(0), pt) };
  }

  /* HPKE base mode SetupBaseR + Open at sequence 0: the plaintext, or an exception when it
   * does not open (another key, another info, altered bytes). me: importAgreementKey's. */
  async function hpkeOpen(me, enc, info, ct) {
    const pub = await subtle.importKey("raw", enc, { name: "ECDH", namedCurve: "P-256" }, false, []);
    const dh = new Uint8Array(await subtle.deriveBits({ name: "ECDH", public: pub }, me.privateKey, 256));
    const ks = await keySchedule(dh, enc, me.point, info);
    const k = await subtle.importKey("raw", ks.key, "AES-GCM", false, ["decrypt"]);
    return new Uint8Array(await subtle.decrypt({ name: "AES-GCM", iv: ks.nonce, tagLength: 128 }, k, ct));
  }

  /* The DER inside a PKCS#8 PEM ("BEGIN PRIVATE KEY"), with a useful refusal otherwise. */
  function pkcs8Der(pem) {
    const m = /-----BEGIN PRIVATE KEY-----([\s\S]+?)-----END PRIVATE KEY-----/.exec(pem);
    if (!m) {
      throw new Error(/BEGIN (EC |ENCRYPTED )PRIVATE KEY/.test(pem)
        ? "the key must be an unencrypted PKCS#8 PEM: convert it with " +
          "`openssl pkcs8 -topk8 -nocrypt -in KEY.pem -out KEY-pkcs8.pem`"
        : "not a PEM private key (-----BEGIN PRIVATE KEY-----)");
    }
    return Uint8Array.from(atob(m[1].replace(/\s+/g, "")), (c) => c.charCodeAt(0));
  }

  function b64url(s) {
    return Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
  }

  /* A custodian's key for opening what was sealed to it (PKCS#8 PEM, P-256): {privateKey (ECDH,
   * non-extractable), point (its 65-byte public point)}. */
  async function importAgreementKey(pem) {
    const der = pkcs8Der(pem);
    let tmp;
    try {
      tmp = await subtle.importKey("pkcs8", der, { name: "ECDH", namedCurve: "P-256" }, true, ["deriveBits"]);
    } catch (e) {
      throw new Error("not a P-256 (prime256v1) private key");
    }
    const jwk = await subtle.exportKey("jwk", tmp);
    const privateKey = await subtle.importKey("jwk", jwk, { name: "ECDH", namedCurve: "P-256" }, false, ["deriveBits"]);
    return { privateKey, point: concat(new Uint8Array([4]), b64url(jwk.x), b64url(jwk.y)) };
  }

  /* The bidder's signing key from a PKCS#8 PEM ("BEGIN PRIVATE KEY"), and its key id: hex
   * SHA-256 of its SubjectPublicKeyInfo, as registered with POST /api/v1/me/keys. */
  async function importSigningKey(pem) {
    const der = pkcs8Der(pem);
    let tmp;
    try {
      tmp = await subtle.importKey("pkcs8", der, { name: "ECDSA", namedCurve: "P-256" }, true, ["sign"]);
    } catch (e) {
      throw new Error("not a P-256 (prime256v1) private key");
    }
    const jwk = await subtle.exportKey("jwk", tmp);
    const key = await subtle.importKey("jwk", jwk, { name: "ECDSA", namedCurve: "P-256" }, false, ["sign"]);
    delete jwk.d;
    jwk.key_ops = ["verify"];
    const pub = await subtle.importKey("jwk", jwk, { name: "ECDSA", namedCurve: "P-256" }, true, ["verify"]);
    const spki = new Uint8Array(await subtle.exportKey("spki", pub));
    return { key, keyId: hex(await sha256(spki)) };
  }

  /* A signed act (docs/audit.md §8): the signature of key (an ECDSA P-256 CryptoKey) over
   * domain "\n" canonical(fields), as base64 of raw r‖s — what WebCrypto's sign produces. */
  async function signAct(key, domain, fields) {
    const msg = concat(te.encode(domain + "\n"), te.encode(canonical(fields)));
    const sig = new Uint8Array(await subtle.sign({ name: "ECDSA", hash: "SHA-256" }, key, msg));
    let s = "";
    for (const b of sig) s += String.fromCharCode(b);
    return btoa(s);
  }

  /* §1–§5: the signed envelope. header: the object to bind (canonical JSON); openingPk: the
   * lot's 65-byte opening public key; key: the bidder's ECDSA CryptoKey; pt: the container.
   * fixed (tests only): {contentKey, nonce, ephemeral} instead of fresh randomness. */
  async function seal(header, openingPk, key, pt, fixed) {
    const hdr = te.encode(canonical(header));
    if (hdr.length < 1 || hdr.length > 4096) throw new Error("the header is over 4096 bytes");
    const hh = await sha256(hdr);
    const contentKey = fixed ? fixed.contentKey : crypto.getRandomValues(new Uint8Array(32));
    const nonce = fixed ? fixed.nonce : crypto.getRandomValues(new Uint8Array(16));
    const w = await hpkeSeal(openingPk, concat(te.encode("ggzy-envelope-v1"), hh), contentKey,
                             fixed && fixed.ephemeral);
    const payloadKey = await hkdf(contentKey, nonce, concat(te.encode("ggzy-envelope-v1 payload"), hh), 32);
    const commitment = await hkdf(contentKey, nonce, concat(te.encode("ggzy-envelope-v1 commitment"), hh), 32);
    const nchunks = Math.max(1, Math.ceil(pt.length / CHUNK));
    const head = concat(te.encode("GGZYENV1"), u32(hdr.length), hdr, w.enc, w.ct, nonce, commitment, u64(pt.length));
    const out = new Uint8Array(head.length + pt.length + 16 * nchunks + 64);
    out.set(head, 0);
    let o = head.length;
    const pk = await subtle.importKey("raw", payloadKey, "AES-GCM", false, ["encrypt"]);
    for (let i = 0; i < nchunks; i++) {
      /* I2OSP(i, 11) || the last-chunk flag (§4) */
      const iv = new Uint8Array(12);
      iv.set(u64(i), 3);
      iv[11] = i === nchunks - 1 ? 1 : 0;
      const c = new Uint8Array(await subtle.encrypt({ name: "AES-GCM", iv, additionalData: hh, tagLength: 128 },
                                                    pk, pt.subarray(i * CHUNK, Math.min(pt.length, (i + 1) * CHUNK))));
      out.set(c, o);
      o += c.length;
    }
    const unsigned = out.subarray(0, o);
    if (key) {
      const sig = new Uint8Array(await subtle.sign({ name: "ECDSA", hash: "SHA-256" }, key, unsigned));
      out.set(sig, o); /* raw r‖s, 64 bytes (§5) */
      return out;
    }
    return unsigned.slice(); /* unsigned: only for the test vector's deterministic digest */
  }

  /* Open an envelope with the lot's published opening key (sk: 32 bytes, pk: its 65-byte
   * point), as the opening did (docs/envelope.md §9): the layout, the HPKE unwrap, the key
   * commitment, every chunk, then the bid container. {summary (its bytes), docs: [{name,
   * size}]}, or an exception naming what failed. The bidder's signature is not checked here
   * (the platform checked it at submission; `ggzy envelope open` checks it too). */
  async function openEnvelope(env, sk, pk) {
    const td = new TextDecoder("utf-8", { fatal: true });
    const dv = new DataView(env.buffer, env.byteOffset, env.byteLength);
    if (env.length < 12 + 1 + 65 + 48 + 16 + 32 + 8 + 16 + 64 ||
        String.fromCharCode(...env.subarray(0, 8)) !== "GGZYENV1")
      throw new Error("not an envelope");
    const h = dv.getUint32(8);
    if (h < 1 || h > 4096 || 12 + h + 169 > env.length) throw new Error("bad header length");
    const hh = await sha256(env.subarray(12, 12 + h));
    let o = 12 + h;
    const enc = env.subarray(o, o + 65), wrapped = env.subarray(o + 65, o + 113);
    const nonce = env.subarray(o + 113, o + 129), commitment = env.subarray(o + 129, o + 161);
    const plen = dv.getBigUint64(o + 161);
    o += 169;
    const p = Number(plen), n = Math.max(1, Math.ceil(p / CHUNK));
    if (plen > BigInt(env.length) || o + p + 16 * n + 64 !== env.length) throw new Error("the lengths do not add up");
    const me = await privateFromScalar(sk, "ECDH", ["deriveBits"]);
    const point = new Uint8Array(await subtle.exportKey("raw", me.publicKey));
    if (hex(point) !== hex(pk)) throw new Error("the published private key is not the lot's opening key");
    let contentKey;
    try {
      contentKey = await hpkeOpen({ privateKey: me.privateKey, point }, enc,
                                  concat(te.encode("ggzy-envelope-v1"), hh), wrapped);
    } catch (e) {
      throw new Error("the content key does not unwrap (sealed to another key, or altered)");
    }
    const want = await hkdf(contentKey, nonce, concat(te.encode("ggzy-envelope-v1 commitment"), hh), 32);
    if (hex(want) !== hex(commitment)) throw new Error("the key commitment does not match");
    const payloadKey = await hkdf(contentKey, nonce, concat(te.encode("ggzy-envelope-v1 payload"), hh), 32);
    const k = await subtle.importKey("raw", payloadKey, "AES-GCM", false, ["decrypt"]);
    const pt = new Uint8Array(p);
    for (let i = 0, at = 0; i < n; i++) {
      const len = Math.min(CHUNK, p - i * CHUNK), iv = new Uint8Array(12);
      iv.set(u64(i), 3);
      iv[11] = i === n - 1 ? 1 : 0;
      try {
        pt.set(new Uint8Array(await subtle.decrypt({ name: "AES-GCM", iv, additionalData: hh, tagLength: 128 }, k,
                                                     env.subarray(o, o + len + 16))), at);
      } catch (e) {
        throw new Error("chunk " + i + " does not decrypt");
      }
      o += len + 16;
      at += len;
    }
    /* the container (§4.1) */
    const pv = new DataView(pt.buffer);
    if (p < 16 || String.fromCharCode(...pt.subarray(0, 8)) !== "GGZYBID1") throw new Error("not a bid container");
    const slen = pv.getUint32(8);
    if (slen < 1 || slen > 16384 || 12 + slen + 4 > p) throw new Error("bad summary length");
    const summary = pt.slice(12, 12 + slen);
    let q = 12 + slen;
    const ndocs = pv.getUint32(q), docs = [];
    q += 4;
    if (ndocs > 256) throw new Error("more than 256 documents");
    for (let i = 0; i < ndocs; i++) {
      if (q + 2 > p) throw new Error("the container is truncated");
      const nl = pv.getUint16(q);
      if (nl < 1 || nl > 255 || q + 2 + nl + 8 > p) throw new Error("bad document name length");
      const name = td.decode(pt.subarray(q + 2, q + 2 + nl));
      const size = pv.getBigUint64(q + 2 + nl);
      q += 2 + nl + 8;
      if (size > BigInt(p - q)) throw new Error("a document runs past the end");
      q += Number(size);
      docs.push({ name, size: Number(size) });
    }
    if (q !== p) throw new Error("bytes follow the last document");
    pt.fill(0);
    return { summary, docs };
  }

  async function signedBody(input, me, domain, fields) {
    const file = input.files[0];
    if (!file) throw new Error("选择私钥文件 choose your key file: it signs this act");
    const k = await importSigningKey(await file.text());
    const h = await fetch("/healthz", { cache: "no-store", credentials: "omit" });
    const now = (await h.json()).now_us;
    const f = Object.assign({ platform: me.platform, user_id: me.id, signed_us: now }, fields);
    return { key_id: k.keyId, signed_us: now, signature: await signAct(k.key, domain, f) };
  }

  return { canonical, container, importSigningKey, signAct, signedBody, importAgreementKey, seal, hpkeOpen,
           openEnvelope, deriveKeyPair, sha256, hex, unhex, concat, privateFromScalar };
})();
