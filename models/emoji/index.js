// `import model from 'wgan-edge/models/emoji'` gives this model's files as URLs, for runtime.load().
// The URLs are literals, so an app's bundler emits the files with the app; a sampling load
// fetches model.json and the generator, a fine-tune the critic too.
export default {
  files: {
    'model.json': new URL('./model.json', import.meta.url).href,
    'generator.bin': new URL('./generator.bin', import.meta.url).href,
    'critic.bin': new URL('./critic.bin', import.meta.url).href,
  },
};
