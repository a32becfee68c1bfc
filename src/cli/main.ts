/** The `wgan-edge` command line: train, finetune, sample, eval, info. */
import '../backend/gradients';
import '../backend/kernels';
import { backendOptions, parse } from './args';
import { demo } from './demo';
import { UsageError } from './errors';
import { evaluate } from './eval';
import { finetune } from './finetune';
import { info } from './info';
import { sample } from './sample';
import { train } from './train';
import { trainUsage } from './train_flags';

const USAGE = `Usage: wgan-edge <command> [options]

  train   ${trainUsage('          ')}
  finetune --model DIR|<shipped name> --images DIR --out DIR [--steps N] [--seed S]
          few-shot: a handful (5-50) of PNG/JPEG images of one kind in a folder, a model of
          that kind out in well under a minute (the latent components nearest them, anchors
          between their inversions, then a short run with DiffAugment); [--invert (ink on
          paper)] [--label K (a conditional model: tune toward its class K)] [--storage ...] [--json]
  sample  --model DIR|<shipped name> [--n N] [--seed S] [--truncation T] --out FILE.json|.npy|.png
          [--latents Z.npy (the samples of these [n, latentDim] latents instead of a seed's)]
          [--format uint8|float32 (how a .npy stores images; default uint8)]
          [--label K (a conditional model's class; default: uniformly random labels)]
  eval    --model DIR|<shipped name> --data 8gaussians|25gaussians|swissroll|mnist|fashion-mnist|emoji
          [--n N (default 2048; emoji 900)] [--seed S] [--truncation T (image sets; as sample's)]
  info    the backends here and what auto picks
  demo    [--port P (default 8080)]: serves the demo page on localhost (mnist sampled and
          fine-tuned on your images, mnist-conditional by the class picked, emoji by the
          category picked, the family trained on toy sets, all in Web Workers);
          a --backend other than auto goes to the page

  Every command: [--backend auto|webgpu|wasm|cpu] [--threads N (WASM threads, 1-8; default cores / 2)]
`;

const COMMANDS: Record<string, (argv: string[]) => Promise<void>> = {
  train,
  finetune,
  sample,
  eval: evaluate,
  info: async (argv) => info(backendOptions(parse(argv, {}))),
  demo,
};

async function main([command, ...rest]: string[]): Promise<void> {
  const helpFlag = (arg: string) => arg === '--help' || arg === '-h';
  if (command == null || command === 'help' || helpFlag(command) || rest.some(helpFlag)) {
    process.stdout.write(USAGE);
    return;
  }
  const run = COMMANDS[command];
  if (run == null) throw new UsageError(`unknown command '${command}'. Commands: ${Object.keys(COMMANDS).join(', ')}.`);
  await run(rest);
}

main(process.argv.slice(2)).catch((e: Error) => {
  process.stderr.write(`wgan-edge: ${e.message}\n`);
  process.exitCode = e instanceof UsageError ? 2 : 1;
});
