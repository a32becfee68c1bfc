import * as tf from '@tensorflow/tfjs-core';

/**
 * Resizing is linear and separable: out = Rows . image . Cols^T per channel, with Rows
 * [outHeight, height] and Cols [outWidth, width] the interpolation weights of the forward
 * kernels (tfjs's formulas for alignCorners, halfPixelCenters and neither). So the gradient is
 * Rows^T . dy . Cols, two matMuls, differentiable to every order. tfjs's ResizeBilinearGrad and
 * ResizeNearestNeighborGrad kernels are wrong: on cpu nearest in every mode, bilinear with
 * halfPixelCenters, and bilinear of a non-square image throws (height and width swapped); on
 * wasm both with halfPixelCenters. And they have no gradients of their own.
 */
type ResizeAttrs = { alignCorners: boolean; halfPixelCenters: boolean; size?: [number, number] };
type Mode = 'bilinear' | 'nearest';

export const resizeBilinearGradConfig = resizeGradConfig(tf.ResizeBilinear, 'bilinear');
export const resizeNearestNeighborGradConfig = resizeGradConfig(tf.ResizeNearestNeighbor, 'nearest');
export const resizeBilinearGradGradConfig = resizeGradGradConfig(tf.ResizeBilinearGrad, 'bilinear');
export const resizeNearestNeighborGradGradConfig = resizeGradGradConfig(tf.ResizeNearestNeighborGrad, 'nearest');

function resizeGradConfig(kernelName: string, mode: Mode): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: ['images'],
    gradFunc: (dy, saved, attrs) => {
      const [images] = saved;
      return { images: () => resizeAdjoint(dy as tf.Tensor4D, images.shape, mode, attrs as unknown as ResizeAttrs) };
    },
  };
}

/** Resize*Grad(dy, images) is linear in dy; its adjoint is the resize itself. Nothing flows to images. */
function resizeGradGradConfig(kernelName: string, mode: Mode): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: ['dy', 'images'],
    gradFunc: (ddx, saved, attrs) => {
      const [dy, images] = saved;
      return {
        dy: () =>
          resize(
            ddx as tf.Tensor4D,
            [dy.shape[1] as number, dy.shape[2] as number],
            mode,
            attrs as unknown as ResizeAttrs,
          ),
        images: () => tf.zeros(images.shape),
      };
    },
  };
}

function resize(
  x: tf.Tensor4D,
  size: [number, number],
  mode: Mode,
  { alignCorners, halfPixelCenters }: ResizeAttrs,
): tf.Tensor4D {
  return mode === 'bilinear'
    ? tf.image.resizeBilinear(x, size, alignCorners, halfPixelCenters)
    : tf.image.resizeNearestNeighbor(x, size, alignCorners, halfPixelCenters);
}

function resizeAdjoint(dy: tf.Tensor4D, imagesShape: number[], mode: Mode, attrs: ResizeAttrs): tf.Tensor {
  const [batch, outHeight, outWidth, channels] = dy.shape;
  const [, height, width] = imagesShape;
  const rows = tf.tensor2d(interpolationWeights(mode, height, outHeight, attrs), [outHeight, height]);
  const cols = tf.tensor2d(interpolationWeights(mode, width, outWidth, attrs), [outWidth, width]);
  const alongRows = tf.matMul(rows, tf.reshape(dy, [batch, outHeight, outWidth * channels]), true, false); // [batch, height, outWidth * C]
  const alongCols = tf.matMul(cols, tf.reshape(alongRows, [batch * height, outWidth, channels]), true, false); // [batch * height, width, C]
  return tf.reshape(alongCols, imagesShape);
}

/** [outSize, inSize]: row r holds the weights the forward kernel gives each input pixel for output r. */
export function interpolationWeights(
  mode: Mode,
  inSize: number,
  outSize: number,
  { alignCorners, halfPixelCenters }: ResizeAttrs,
): Float32Array {
  const aligned = alignCorners && outSize > 1;
  const ratio = (aligned ? inSize - 1 : inSize) / (aligned ? outSize - 1 : outSize);
  const weights = new Float32Array(outSize * inSize);
  for (let r = 0; r < outSize; r++) {
    const row = r * inSize;
    if (mode === 'bilinear') {
      const source = halfPixelCenters ? ratio * (r + 0.5) - 0.5 : ratio * r;
      const low = Math.max(0, Math.floor(source));
      const high = Math.min(inSize - 1, Math.ceil(source));
      const fraction = source - low;
      weights[row + low] += 1 - fraction;
      weights[row + high] += fraction;
    } else {
      const source = halfPixelCenters ? ratio * (r + 0.5) : ratio * r;
      let nearest = Math.min(inSize - 1, alignCorners ? Math.round(source) : Math.floor(source));
      if (halfPixelCenters) nearest = Math.max(0, nearest);
      weights[row + nearest] = 1;
    }
  }
  return weights;
}
