// The entry of the self-contained agent (scripts/bundle.mjs); bin/shoal-agent.js is the one in a checkout.
import { main } from './cli.js';

await main(process.argv);
