// A Web Push service for the browser tests, written against Node's own
// crypto: it checks the VAPID JWT (ES256, aud, exp, sub) and decrypts the
// aes128gcm body (RFC 8291) independently of the server's Rust code.
import crypto from 'node:crypto';
import http from 'node:http';

const b64u = (buf) => Buffer.from(buf).toString('base64url');
const fromB64u = (s) => Buffer.from(s, 'base64url');

export async function startPushService() {
  const devices = new Map();
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const name = decodeURIComponent(req.url.split('/').pop());
      const device = devices.get(name);
      try {
        if (!device) throw new Error(`unknown device ${name}`);
        const claims = verifyVapid(req.headers.authorization || '', base);
        const body = Buffer.concat(chunks);
        const payload = JSON.parse(decrypt(body, device).toString('utf8'));
        device.received.push({ payload, claims, headers: req.headers, bodyLength: body.length });
        res.writeHead(201).end();
      } catch (error) {
        device?.errors.push(String(error));
        res.writeHead(400).end(String(error));
      }
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${server.address().port}`;
  return {
    base,
    /** A browser's subscription whose messages this service can decrypt. */
    device(name) {
      const ecdh = crypto.createECDH('prime256v1');
      ecdh.generateKeys();
      const auth = crypto.randomBytes(16);
      devices.set(name, { ecdh, auth, received: [], errors: [] });
      return { endpoint: `${base}/push/${encodeURIComponent(name)}`, keys: { p256dh: b64u(ecdh.getPublicKey()), auth: b64u(auth) } };
    },
    received: (name) => devices.get(name)?.received ?? [],
    errors: (name) => devices.get(name)?.errors ?? [],
    async waitFor(name, count, timeout = 10_000) {
      const started = Date.now();
      while (Date.now() - started < timeout) {
        const got = devices.get(name)?.received ?? [];
        if (got.length >= count) return got;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`push service: ${name} got ${devices.get(name)?.received.length ?? 0} pushes, wanted ${count}; errors: ${devices.get(name)?.errors}`);
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

function verifyVapid(header, audience) {
  const match = /^vapid t=([^,]+),\s*k=(.+)$/.exec(header);
  if (!match) throw new Error(`bad Authorization header: ${header}`);
  const [, token, key] = match;
  const [h, p, s] = token.split('.');
  const point = fromB64u(key);
  const publicKey = crypto.createPublicKey({
    key: { kty: 'EC', crv: 'P-256', x: b64u(point.subarray(1, 33)), y: b64u(point.subarray(33, 65)) },
    format: 'jwk',
  });
  const ok = crypto.verify('sha256', Buffer.from(`${h}.${p}`), { key: publicKey, dsaEncoding: 'ieee-p1363' }, fromB64u(s));
  if (!ok) throw new Error('VAPID signature does not verify');
  if (JSON.parse(fromB64u(h)).alg !== 'ES256') throw new Error('VAPID alg is not ES256');
  const claims = JSON.parse(fromB64u(p));
  const now = Math.floor(Date.now() / 1000);
  if (claims.aud !== audience) throw new Error(`aud ${claims.aud} != ${audience}`);
  if (!(claims.exp > now && claims.exp <= now + 24 * 3600)) throw new Error(`exp ${claims.exp} not within 24 h`);
  if (!/^(mailto:|https:)/.test(claims.sub || '')) throw new Error('sub missing');
  return claims;
}

function decrypt(body, { ecdh, auth }) {
  const salt = body.subarray(0, 16);
  const idLength = body[20];
  const senderKey = body.subarray(21, 21 + idLength);
  const record = body.subarray(21 + idLength);
  const shared = ecdh.computeSecret(senderKey);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), ecdh.getPublicKey(), senderKey]);
  const ikm = Buffer.from(crypto.hkdfSync('sha256', shared, auth, keyInfo, 32));
  const cek = Buffer.from(crypto.hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
  const nonce = Buffer.from(crypto.hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));
  const decipher = crypto.createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(record.subarray(record.length - 16));
  const padded = Buffer.concat([decipher.update(record.subarray(0, record.length - 16)), decipher.final()]);
  const end = padded.lastIndexOf(2);
  if (end < 0) throw new Error('no padding delimiter');
  return padded.subarray(0, end);
}
