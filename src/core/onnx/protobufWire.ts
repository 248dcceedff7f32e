/**
 * The protobuf wire format, just as much as ONNX files need: varints (64-bit, two's complement for
 * negative int64), length-delimited fields (strings, bytes, nested messages, packed repeated
 * numbers) and 32-bit floats. Pure and dependency-free so that the core can read and write `.onnx`
 * files in the extension host, the CLI and the webview alike.
 */

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LENGTH_DELIMITED = 2;
export const WIRE_FIXED32 = 5;

/** A malformed or truncated protobuf message, with the byte offset where reading stopped. */
export class ProtobufFormatError extends Error {
  constructor(message: string, readonly offset: number) {
    super(`${message} (at byte ${offset})`);
    this.name = 'ProtobufFormatError';
  }
}

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: false });

/** Values at least this long are kept by reference instead of copied into the scratch buffer. */
const BY_REFERENCE = 4096;

/**
 * Appends fields; nested messages and large byte fields are kept as chunks by reference, so a
 * model of hundreds of megabytes is copied once, in `finish()`.
 */
export class ProtobufWriter {
  private readonly chunks: Uint8Array[] = [];
  private scratch = new Uint8Array(256);
  private used = 0;
  private total = 0;

  /** Bytes written so far. */
  get length(): number {
    return this.total + this.used;
  }

  private ensure(extra: number): void {
    if (this.used + extra <= this.scratch.length) return;
    this.flushScratch();
    if (extra > this.scratch.length) this.scratch = new Uint8Array(Math.max(extra, this.scratch.length * 2));
  }

  private flushScratch(): void {
    if (this.used === 0) return;
    this.chunks.push(this.scratch.slice(0, this.used));
    this.total += this.used;
    this.used = 0;
  }

  private byte(value: number): void {
    this.ensure(1);
    this.scratch[this.used++] = value;
  }

  /** An unsigned or signed integer as a varint; negative values take ten bytes (int64 semantics). */
  varint(value: number | bigint): void {
    if (typeof value === 'number' && value >= 0 && value <= 0x7fffffff) {
      let v = value;
      while (v > 0x7f) {
        this.byte((v & 0x7f) | 0x80);
        v >>>= 7;
      }
      this.byte(v);
      return;
    }
    let big = BigInt.asUintN(64, BigInt(value));
    while (big > 0x7fn) {
      this.byte(Number(big & 0x7fn) | 0x80);
      big >>= 7n;
    }
    this.byte(Number(big));
  }

  private tag(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  int(field: number, value: number | bigint): void {
    this.tag(field, WIRE_VARINT);
    this.varint(value);
  }

  float(field: number, value: number): void {
    this.tag(field, WIRE_FIXED32);
    this.ensure(4);
    new DataView(this.scratch.buffer, this.scratch.byteOffset).setFloat32(this.used, value, true);
    this.used += 4;
  }

  private append(value: Uint8Array): void {
    if (value.length >= BY_REFERENCE) {
      this.flushScratch();
      this.chunks.push(value);
      this.total += value.length;
      return;
    }
    this.ensure(value.length);
    this.scratch.set(value, this.used);
    this.used += value.length;
  }

  bytes(field: number, value: Uint8Array): void {
    this.tag(field, WIRE_LENGTH_DELIMITED);
    this.varint(value.length);
    this.append(value);
  }

  string(field: number, value: string): void {
    this.bytes(field, textEncoder.encode(value));
  }

  message(field: number, write: (writer: ProtobufWriter) => void): void {
    const nested = new ProtobufWriter();
    write(nested);
    nested.flushScratch();
    this.tag(field, WIRE_LENGTH_DELIMITED);
    this.varint(nested.total);
    for (const chunk of nested.chunks) this.append(chunk);
  }

  /** Repeated int64 as one packed field (proto3's default; proto2 readers accept it too). */
  packedInts(field: number, values: readonly (number | bigint)[]): void {
    if (values.length === 0) return;
    this.message(field, (nested) => {
      for (const v of values) nested.varint(v);
    });
  }

  packedFloats(field: number, values: ArrayLike<number>): void {
    if (values.length === 0) return;
    this.bytes(field, littleEndianFloats(values));
  }

  finish(): Uint8Array {
    this.flushScratch();
    if (this.chunks.length === 1) return this.chunks[0].slice();
    const out = new Uint8Array(this.total);
    let at = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, at);
      at += chunk.length;
    }
    return out;
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** float32 values as little-endian bytes (a view of the same memory where the platform is little-endian). */
export function littleEndianFloats(values: ArrayLike<number>): Uint8Array {
  if (LITTLE_ENDIAN && values instanceof Float32Array) return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const data = new Uint8Array(values.length * 4);
  const view = new DataView(data.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
  return data;
}

/** One field as read: its number, wire type and raw value (a varint, the fixed bits, or the bytes). */
export interface ProtobufField {
  field: number;
  wireType: number;
  /** Varint value (as bigint, two's complement kept) for WIRE_VARINT. */
  varint?: bigint;
  /** Payload for WIRE_LENGTH_DELIMITED; the 4 or 8 raw bytes for fixed fields. */
  bytes?: Uint8Array;
  /** Absolute offset of the field's payload in the outermost buffer, for error messages. */
  offset: number;
}

/** Reads the fields of one message in order; every read is bounds-checked. */
export class ProtobufReader {
  private position = 0;

  constructor(
    private readonly data: Uint8Array,
    private readonly baseOffset = 0,
  ) {}

  get done(): boolean {
    return this.position >= this.data.length;
  }

  private fail(message: string): never {
    throw new ProtobufFormatError(message, this.baseOffset + this.position);
  }

  /** One bare varint (also how packed repeated integers are read). */
  readVarint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.position >= this.data.length) this.fail('truncated varint');
      const b = this.data[this.position++];
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return BigInt.asUintN(64, result);
      shift += 7n;
    }
    return this.fail('varint longer than ten bytes');
  }

  next(): ProtobufField {
    const key = this.readVarint();
    const field = Number(key >> 3n);
    const wireType = Number(key & 7n);
    if (field === 0) this.fail('field number 0');
    const offset = this.baseOffset + this.position;
    switch (wireType) {
      case WIRE_VARINT:
        return { field, wireType, varint: this.readVarint(), offset };
      case WIRE_FIXED64:
        return { field, wireType, bytes: this.take(8), offset };
      case WIRE_FIXED32:
        return { field, wireType, bytes: this.take(4), offset };
      case WIRE_LENGTH_DELIMITED: {
        const length = this.readVarint();
        if (length > BigInt(this.data.length - this.position)) this.fail(`length ${length} runs past the end of the data`);
        const start = this.baseOffset + this.position;
        return { field, wireType, bytes: this.take(Number(length)), offset: start };
      }
      default:
        return this.fail(`unsupported wire type ${wireType}`);
    }
  }

  private take(count: number): Uint8Array {
    if (this.position + count > this.data.length) this.fail('truncated field');
    const slice = this.data.subarray(this.position, this.position + count);
    this.position += count;
    return slice;
  }
}

/** The field's value as a signed 64-bit integer, as a JS number (exact up to 2^53). */
export function fieldInt(f: ProtobufField): number {
  if (f.varint === undefined) throw new ProtobufFormatError(`field ${f.field} is not an integer`, f.offset);
  return Number(BigInt.asIntN(64, f.varint));
}

export function fieldFloat(f: ProtobufField): number {
  if (f.bytes === undefined || f.bytes.length !== 4) throw new ProtobufFormatError(`field ${f.field} is not a float`, f.offset);
  return new DataView(f.bytes.buffer, f.bytes.byteOffset, 4).getFloat32(0, true);
}

export function fieldString(f: ProtobufField): string {
  return textDecoder.decode(fieldBytes(f));
}

export function fieldBytes(f: ProtobufField): Uint8Array {
  if (f.bytes === undefined || f.wireType !== WIRE_LENGTH_DELIMITED) {
    throw new ProtobufFormatError(`field ${f.field} is not length-delimited`, f.offset);
  }
  return f.bytes;
}

/** Repeated int64: packed (one length-delimited field) or not (one varint per field). */
export function fieldInts(f: ProtobufField): number[] {
  if (f.wireType === WIRE_VARINT) return [fieldInt(f)];
  const reader = new ProtobufReader(fieldBytes(f), f.offset);
  const values: number[] = [];
  while (!reader.done) values.push(Number(BigInt.asIntN(64, reader.readVarint())));
  return values;
}

/** Repeated float: packed (4 bytes each) or one fixed32 field. */
export function fieldFloats(f: ProtobufField): number[] {
  if (f.wireType === WIRE_FIXED32) return [fieldFloat(f)];
  const bytes = fieldBytes(f);
  if (bytes.length % 4 !== 0) throw new ProtobufFormatError(`packed floats of ${bytes.length} bytes`, f.offset);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const values: number[] = [];
  for (let i = 0; i < bytes.length; i += 4) values.push(view.getFloat32(i, true));
  return values;
}
