// Preloaded into a child (node --require): prints its peak resident memory on stderr as it exits.
process.on('exit', () => process.stderr.write(`maxRSS ${process.resourceUsage().maxRSS * 1024}\n`));
