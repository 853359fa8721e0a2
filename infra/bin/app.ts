import { fileURLToPath } from 'node:url';
import { awsSolutionsFindings } from '../lib/nag.js';
import { addPatchbridgeStacks, newPatchbridgeApp } from '../lib/patchbridge-app.js';
import { readAppProps } from '../lib/props.js';

// The CDK CLI sets CDK_OUTDIR; `npm run synth` writes to infra/cdk.out.
const outdir = process.env['CDK_OUTDIR'] ?? fileURLToPath(new URL('../cdk.out', import.meta.url));
const app = newPatchbridgeApp({ outdir });
const props = readAppProps((key) => app.node.tryGetContext(key), process.env);
const stacks = addPatchbridgeStacks(app, props);

app.synth();
// cdk-nag AwsSolutions over the synthesised app: any finding not acknowledged with a reason fails the run (and a deploy).
const findings = awsSolutionsFindings(app);
if (findings.length > 0) {
  process.stderr.write(`cdk-nag AwsSolutions: ${findings.length} unacknowledged finding(s)\n${findings.join('\n')}\n`);
  process.exit(1);
}
process.stdout.write(`synthesised ${Object.keys(stacks).length} stacks to ${outdir}\n`);
