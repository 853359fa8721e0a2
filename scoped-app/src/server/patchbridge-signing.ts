import { CertificateEncryption, GlideDigest } from '@servicenow/glide'

/**
 * patchbridge's HMAC-SHA256 request signature (docs/api.md, "HMAC-SHA256
 * request signatures"), computed with the platform's own crypto:
 * `GlideDigest.getSHA256Hex` for the body hash and
 * `CertificateEncryption.generateMac` (Base64 key in, Base64 MAC out) for the
 * MAC. The one place the app signs; patchbridge's Node tests run this module
 * under a Glide stand-in built on node:crypto and send what it signs to a
 * running patchbridge.
 */

export interface SigningKey {
    /** The key id patchbridge knows this instance by (`x_pbridge.api.key_id`). */
    readonly id: string
    /** The shared secret, read from the credential record at call time. */
    readonly secret: string
}

export interface RequestToSign {
    readonly method: string
    /** The request target exactly as sent, e.g. `/v1/patch-runs?changeRequest=CHG0030001`. */
    readonly pathWithQuery: string
    /** The exact body sent; '' for GET and DELETE. */
    readonly body: string
}

interface MacApi {
    generateMac(key: string, algorithm: string, data: string): string
}

const NONCE = /^[A-Za-z0-9_-]{16,128}$/
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'

/** The UTF-8 bytes of `text`. */
function utf8(text: string): number[] {
    const out: number[] = []
    for (const ch of text) {
        const c = ch.codePointAt(0) ?? 0
        if (c < 0x80) out.push(c)
        else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63))
        else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63))
        else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63))
    }
    return out
}

/** Base64 of the UTF-8 bytes of `text`: `generateMac` takes its key Base64-encoded. */
export function base64Utf8(text: string): string {
    const bytes = utf8(text)
    let out = ''
    for (let i = 0; i < bytes.length; i += 3) {
        const [a = 0, b = 0, c = 0] = [bytes[i], bytes[i + 1], bytes[i + 2]]
        const n = (a << 16) | (b << 8) | c
        out += B64.charAt((n >> 18) & 63) + B64.charAt((n >> 12) & 63)
        out += i + 1 < bytes.length ? B64.charAt((n >> 6) & 63) : '='
        out += i + 2 < bytes.length ? B64.charAt(n & 63) : '='
    }
    return out
}

/** `METHOD\nPATH_WITH_QUERY\nts\nnonce\nlowercase_hex(SHA-256(body))`. */
export function canonicalString(request: RequestToSign, ts: number, nonce: string): string {
    const hash = new GlideDigest().getSHA256Hex(request.body).toLowerCase()
    return [request.method.toUpperCase(), request.pathWithQuery, String(ts), nonce, hash].join('\n')
}

/**
 * The `X-Patchbridge-Signature` header value for `request` at Unix time `ts`
 * (seconds) with a fresh `nonce` (16-128 of `[A-Za-z0-9_-]`; a GUID is fine).
 */
export function signatureHeader(key: SigningKey, request: RequestToSign, ts: number, nonce: string): string {
    if (!NONCE.test(nonce)) throw new Error('nonce must be 16-128 characters of A-Z a-z 0-9 _ -')
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(key.id)) throw new Error('key id must be 1-64 characters of A-Z a-z 0-9 . _ -')
    if (key.secret === '') throw new Error('the signing secret is empty: check the credential record')
    // Scoped apps call generateMac on an instance (the documented usage); the bundled typings declare it static.
    const mac = (new CertificateEncryption() as unknown as MacApi).generateMac(base64Utf8(key.secret), 'HmacSHA256', canonicalString(request, ts, nonce))
    return `keyId=${key.id},ts=${ts},nonce=${nonce},sig=${mac}`
}
