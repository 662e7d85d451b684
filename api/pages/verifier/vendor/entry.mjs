// The one entry point of the vendored bundle (build.sh): only what the page's beacon check needs from
// @noble/curves' bls12-381 module, exposed as the global SunshineBLS. No pairing code is written here.
import { bls12_381 } from "@noble/curves/bls12-381.js";

const GROUPS = { G1: bls12_381.G1.Point, G2: bls12_381.G2.Point };

/** A point of ``group`` ("G1" or "G2") from its compressed bytes, with noble's curve and subgroup checks (throws). */
export function decodePoint(group, bytes) {
  return GROUPS[group].fromBytes(bytes);
}

/** The point's one compressed encoding. */
export function encodePoint(point) {
  return point.toBytes(true);
}

/** True for the group's identity (the point at infinity). */
export function isIdentity(point) {
  return point.is0();
}

/**
 * BLS verification of ``message`` (bytes, hashed to the signature group with RFC 9380 and ``dst``):
 * long signatures (key on G1, signature on G2) when ``signatureGroup`` is "G2", short ones (key on G2,
 * signature on G1) when it is "G1".
 */
export function verifySignature(signatureGroup, signature, message, dst, publicKey) {
  const scheme = signatureGroup === "G2" ? bls12_381.longSignatures : bls12_381.shortSignatures;
  return scheme.verify(signature, scheme.hash(message, dst), publicKey);
}
