import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { Encoder } from 'cbor-x';

/**
 * A software WebAuthn authenticator for tests only (the product never parses
 * CBOR or COSE itself): one P-256 (ES256) credential, attestation `none`,
 * assertions signed with node:crypto. Each knob lets a test present what a
 * broken or hostile client would.
 */
export class SoftAuthenticator {
  private readonly key = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  private readonly rawId = randomBytes(16);
  private readonly cbor = new Encoder({ useRecords: false, mapsAsObjects: false, tagUint8Array: false });
  /** The signature counter; a test sets it back to play a cloned authenticator. */
  counter = 0;

  constructor(private readonly userHandle = 'duotoken:0') {}

  get id(): string {
    return this.rawId.toString('base64url');
  }

  /** A `RegistrationResponseJSON` for creation options. */
  register(options: { challenge: string }, where: { origin: string; rpId: string }, userVerified = true) {
    const jwk = this.key.publicKey.export({ format: 'jwk' });
    const cose = new Map<number, unknown>([
      [1, 2],
      [3, -7],
      [-1, 1],
      [-2, Buffer.from(jwk.x!, 'base64url')],
      [-3, Buffer.from(jwk.y!, 'base64url')],
    ]);
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(this.rawId.length);
    const authData = Buffer.concat([
      this.header(where.rpId, 0x41 | (userVerified ? 0x04 : 0)),
      Buffer.alloc(16),
      idLength,
      this.rawId,
      Buffer.from(this.cbor.encode(cose)),
    ]);
    const clientDataJSON = this.clientData('webauthn.create', options.challenge, where.origin);
    const attestationObject = Buffer.from(
      this.cbor.encode(
        new Map<string, unknown>([
          ['fmt', 'none'],
          ['attStmt', new Map()],
          ['authData', authData],
        ]),
      ),
    );
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      clientExtensionResults: {},
      response: {
        clientDataJSON: clientDataJSON.toString('base64url'),
        attestationObject: attestationObject.toString('base64url'),
        transports: ['internal'],
      },
    };
  }

  /** An `AuthenticationResponseJSON` for request options. */
  assert(options: { challenge: string }, where: { origin: string; rpId: string }, userVerified = true) {
    this.counter += 1;
    const authData = this.header(where.rpId, 0x01 | (userVerified ? 0x04 : 0));
    const clientDataJSON = this.clientData('webauthn.get', options.challenge, where.origin);
    const signature = sign('sha256', Buffer.concat([authData, createHash('sha256').update(clientDataJSON).digest()]), this.key.privateKey);
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      clientExtensionResults: {},
      response: {
        clientDataJSON: clientDataJSON.toString('base64url'),
        authenticatorData: authData.toString('base64url'),
        signature: signature.toString('base64url'),
        userHandle: Buffer.from(this.userHandle).toString('base64url'),
      },
    };
  }

  /** RP ID hash, flags (UP 0x01, UV 0x04, AT 0x40), counter. */
  private header(rpId: string, flags: number): Buffer {
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(this.counter);
    return Buffer.concat([createHash('sha256').update(rpId).digest(), Buffer.from([flags]), counter]);
  }

  private clientData(type: string, challenge: string, origin: string): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
  }
}
