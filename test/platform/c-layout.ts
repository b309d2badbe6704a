// A small C struct layout calculator for fixture buffers: fields are listed in header order
// with their C types, and offsets follow the LP64 ABI (x86_64 and arm64 on macOS and FreeBSD):
// each field at the next multiple of its alignment, the size rounded up to the largest one.
// The tests lay fixtures out from the headers' field lists through this, independently of
// the offsets the decoders hard-code, and check that both agree.

export interface CType {
  size: number;
  align: number;
}

export const C = {
  char: { size: 1, align: 1 },
  u8: { size: 1, align: 1 },
  i16: { size: 2, align: 2 },
  u16: { size: 2, align: 2 },
  i32: { size: 4, align: 4 },
  u32: { size: 4, align: 4 },
  i64: { size: 8, align: 8 },
  u64: { size: 8, align: 8 },
  /** long, size_t, pointers, time_t on LP64 */
  long: { size: 8, align: 8 },
  ptr: { size: 8, align: 8 },
} as const satisfies Record<string, CType>;

/** `count` elements of `type` (a C array). */
export const array = (type: CType, count: number): CType => ({ size: type.size * count, align: type.align });

/** A struct as a field type. */
export const struct = (layout: Layout): CType => ({ size: layout.size, align: layout.align });

export type FieldList = readonly (readonly [name: string, type: CType])[];

export interface Layout {
  offsets: Record<string, number>;
  size: number;
  align: number;
}

export function layout(fields: FieldList): Layout {
  const offsets: Record<string, number> = {};
  let at = 0;
  let align = 1;
  for (const [name, type] of fields) {
    at = Math.ceil(at / type.align) * type.align;
    if (name in offsets) throw new Error(`duplicate field ${name}`);
    offsets[name] = at;
    at += type.size;
    align = Math.max(align, type.align);
  }
  return { offsets, size: Math.ceil(at / align) * align, align };
}

/** Writes little-endian values into a fixture buffer at a layout's offsets. */
export class Fixture {
  readonly bytes: Uint8Array;
  private readonly view: DataView;

  constructor(
    readonly shape: Layout,
    size = shape.size,
    private readonly base = 0,
    bytes?: Uint8Array,
  ) {
    this.bytes = bytes ?? new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
  }

  private at(field: string, extra = 0): number {
    const offset = this.shape.offsets[field];
    if (offset === undefined) throw new Error(`no field ${field}`);
    return this.base + offset + extra;
  }

  i16(field: string, value: number): this {
    this.view.setInt16(this.at(field), value, true);
    return this;
  }

  i32(field: string, value: number, extra = 0): this {
    this.view.setInt32(this.at(field, extra), value, true);
    return this;
  }

  u32(field: string, value: number): this {
    this.view.setUint32(this.at(field), value, true);
    return this;
  }

  u64(field: string, value: number | bigint, extra = 0): this {
    this.view.setBigUint64(this.at(field, extra), BigInt(value), true);
    return this;
  }

  i64(field: string, value: number | bigint, extra = 0): this {
    this.view.setBigInt64(this.at(field, extra), BigInt(value), true);
    return this;
  }

  u8(field: string, value: number): this {
    this.view.setUint8(this.at(field), value);
    return this;
  }

  /** A C string: the bytes, then NUL if room is left (`room` is the array's size). */
  text(field: string, value: string, room: number): this {
    const encoded = new TextEncoder().encode(value);
    if (encoded.length > room) throw new Error(`${field}: ${value} does not fit in ${room} bytes`);
    this.bytes.set(encoded, this.at(field));
    if (encoded.length < room) this.bytes[this.at(field) + encoded.length] = 0;
    return this;
  }

  /** Fills a field's bytes with a non-zero pattern, so a decoder reading the wrong place shows. */
  noise(field: string, length: number, byte = 0xa5): this {
    this.bytes.fill(byte, this.at(field), this.at(field) + length);
    return this;
  }
}
