/** Weight storage: float32 arrays <-> the bytes of one weight in a shard. */
import { fromFloat16Bits, toFloat16Bits } from './float16';
import type { WeightQuantization, WeightStorage } from './format';

export interface EncodedWeight {
  bytes: Uint8Array;
  quantization?: WeightQuantization;
}

export function bytesPerValue(quantization: WeightQuantization | undefined): number {
  if (quantization == null) return 4;
  return quantization.dtype === 'float16' ? 2 : 1;
}

export function encodeWeight(values: Float32Array, storage: WeightStorage): EncodedWeight {
  switch (storage) {
    case 'float32':
      return { bytes: new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength)) };
    case 'float16': {
      const out = new Uint16Array(values.length);
      for (let i = 0; i < values.length; i++) out[i] = toFloat16Bits(values[i]);
      return { bytes: new Uint8Array(out.buffer), quantization: { dtype: 'float16' } };
    }
    case 'uint8': {
      // Affine 8-bit, per tensor, as tfjs's quantised manifests: value = q * scale + min.
      let min = Infinity;
      let max = -Infinity;
      for (const v of values) {
        if (v < min) min = v;
        if (v > max) max = v;
      }
      if (values.length === 0) min = max = 0;
      const scale = max > min ? (max - min) / 255 : 1;
      const out = new Uint8Array(values.length);
      for (let i = 0; i < values.length; i++) out[i] = Math.round((values[i] - min) / scale);
      return { bytes: out, quantization: { dtype: 'uint8', scale, min } };
    }
  }
}

/** `bytes` must be exactly this weight's bytes (the caller checks lengths). */
export function decodeWeight(
  bytes: Uint8Array,
  size: number,
  quantization: WeightQuantization | undefined,
): Float32Array {
  if (quantization == null) {
    return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + size * 4));
  }
  const out = new Float32Array(size);
  if (quantization.dtype === 'float16') {
    const halves = new Uint16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + size * 2));
    for (let i = 0; i < size; i++) out[i] = fromFloat16Bits(halves[i]);
  } else {
    const { scale = 1, min = 0 } = quantization;
    for (let i = 0; i < size; i++) out[i] = bytes[i] * scale + min;
  }
  return out;
}
