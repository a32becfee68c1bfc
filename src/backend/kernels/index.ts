/** Kernels this project adds to tfjs backends. Importing this module registers them. */
export {};
