// `npm test`: every check, in named steps, so a failure says which. Each step runs npm scripts
// (package.json) one after the other and stops at the first that fails.
//
//   npm test                      every step
//   npm test -- unit browser      only the steps named (they need the build: run `build` first or with them)
import {spawnSync} from 'node:child_process';

/** The steps, in order: cheap and decisive first. */
const STEPS = [
	{name: 'lint', scripts: ['lint']},
	{name: 'build', scripts: ['build', 'size']},
	{name: 'typecheck', scripts: ['typecheck']},
	{name: 'package', scripts: ['check:package', 'test:consumer']},
	{name: 'unit', scripts: ['test:unit']},
	{name: 'browser', scripts: ['test:e2e']},
];

const wanted = process.argv.slice(2);
const unknown = wanted.filter(name => !STEPS.some(step => step.name === name));
if (unknown.length > 0) {
	console.error(`no such step: ${unknown.join(', ')} (steps: ${STEPS.map(step => step.name).join(', ')})`);
	process.exit(2);
}

const started = performance.now();
for (const step of STEPS.filter(step => wanted.length === 0 || wanted.includes(step.name))) {
	console.log(`\n== step: ${step.name} (${step.scripts.map(script => `npm run ${script}`).join(', ')}) ==`);
	const stepStarted = performance.now();
	for (const script of step.scripts) {
		const {status, signal} = spawnSync('npm', ['run', '--silent', script], {stdio: 'inherit'});
		if (status !== 0) {
			console.error(`\nFAILED at step: ${step.name} (\`npm run ${script}\` ${signal ? `killed by ${signal}` : `exited with ${status}`})`);
			process.exit(1);
		}
	}

	console.log(`== step: ${step.name} ok (${seconds(performance.now() - stepStarted)}) ==`);
}

console.log(`\nall steps ok (${seconds(performance.now() - started)})`);

/** @param {number} ms */
function seconds(ms) {
	return `${(ms / 1000).toFixed(1)} s`;
}
