/**
 * The buffers a request hands over to the other side (Comlink.transfer): moved, not copied,
 * so a large model or data set costs the sending thread no copy. A buffer may be listed once.
 */
import * as Comlink from 'comlink';
import type { FineTuneRequest, ModelContents, ModelSource, TrainRequest } from './protocol';

/** Each distinct, transferable buffer under a model's weights (a buffer can be listed once). */
export function weightBuffers(model: ModelContents): Transferable[] {
  const buffers = new Set<ArrayBuffer>();
  for (const group of [model?.generator, model?.critic]) {
    for (const { values } of Object.values(group ?? {})) {
      if (values?.buffer instanceof ArrayBuffer) buffers.add(values.buffer);
    }
  }
  return [...buffers];
}

/** What a train or fine-tune request hands over: its image array's buffer, or its images' buffers and bitmaps. */
export function imageBuffers(request: TrainRequest | FineTuneRequest): Transferable[] {
  const data = request != null && 'data' in request ? request.data : undefined;
  const images =
    request != null && 'images' in request
      ? request.images
      : data != null && 'images' in data
        ? data.images
        : undefined;
  const moved = new Set<Transferable>();
  for (const image of Array.isArray(images) ? images : [images]) {
    if (typeof ImageBitmap !== 'undefined' && image instanceof ImageBitmap) moved.add(image);
    else if (image instanceof ArrayBuffer) moved.add(image);
    else if (
      image != null &&
      typeof image === 'object' &&
      'data' in image &&
      ArrayBuffer.isView(image.data) &&
      image.data.buffer instanceof ArrayBuffer
    )
      moved.add(image.data.buffer);
    else if (image instanceof Uint8Array && image.buffer instanceof ArrayBuffer) moved.add(image.buffer);
  }
  return [...moved];
}

/** URLs resolved here: the worker would resolve them against its own script. */
export function withAbsoluteUrl(source: ModelSource): ModelSource {
  if (source != null && 'url' in source) return { url: new URL(source.url, location.href).href };
  if (source != null && 'files' in source && typeof source.files === 'object' && source.files != null) {
    return {
      files: Object.fromEntries(
        Object.entries(source.files).map(([name, url]) => [name, new URL(url, location.href).href]),
      ),
    };
  }
  return source;
}

/** withAbsoluteUrl, and a model's contents transferred, not copied. */
export function sendableSource(source: ModelSource): ModelSource {
  const resolved = withAbsoluteUrl(source);
  return resolved != null && 'generator' in resolved ? Comlink.transfer(resolved, weightBuffers(resolved)) : resolved;
}
