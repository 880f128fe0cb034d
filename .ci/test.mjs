// `npm test`: every check, in named steps, so a failure says which. Each step runs npm scripts
// (package.json) one after the other and stops at the first that fails.
//
//   npm test                      every step
//   npm test -- unit socket       only the steps named (socket, package, readme and browser need the
//                                 build and the setup: run `build` and `setup` first or with them)
import {spawnSync} from 'node:child_process';

/**
 * The steps, in order of cost: what answers in seconds and decides most comes first (lint,
 * the type check of the sources, the in-process unit tests: no build, no socket), then the build
 * and what needs it. `setup` installs what the later steps use (browsers, redis-server) when
 * missing, once, as its own step; no other script installs anything.
 */
const STEPS = [
	{name: 'lint', scripts: ['lint']},
	{name: 'typecheck', scripts: ['typecheck']},
	{name: 'unit', scripts: ['test:unit']},
	{name: 'build', scripts: ['build', 'typecheck:built']},
	{name: 'size', scripts: ['size']},
	{name: 'setup', scripts: ['setup']},
	{name: 'readme', scripts: ['test:readme']},
	{name: 'package', scripts: ['check:package', 'test:consumer']},
	{name: 'socket', scripts: ['test:socket']},
	{name: 'browser', scripts: ['test:e2e']},
];

const wanted = process.argv.slice(2);
const unknown = wanted.filter(name => !STEPS.some(step => step.name === name));
if (unknown.length > 0) {
	console.error(`no such step: ${unknown.join(', ')} (steps: ${STEPS.map(step => step.name).join(', ')})`);
	process.exit(2);
}

const started = performance.now();
/** @type {string[]} */
const times = [];
for (const step of STEPS.filter(step => wanted.length === 0 || wanted.includes(step.name))) {
	console.log(`\n== step: ${step.name} (${step.scripts.map(script => `npm run ${script}`).join(', ')}) ==`);
	const stepStarted = performance.now();
	for (const script of step.scripts) {
		const {status, signal} = spawnSync('npm', ['run', '--silent', script], {stdio: 'inherit'});
		if (status !== 0) {
			console.error(`\nFAILED at step: ${step.name} (\`npm run ${script}\` ${signal ? `killed by ${signal}` : `exited with ${status}`})`);
			summary();
			process.exit(1);
		}
	}

	times.push(`${step.name} ${seconds(performance.now() - stepStarted)} (at ${seconds(performance.now() - started)})`);
	console.log(`== step: ${step.name} ok (${seconds(performance.now() - stepStarted)}, ${seconds(performance.now() - started)} since the start) ==`);
}

summary();
console.log(`\nall steps ok (${seconds(performance.now() - started)})`);

/** Each finished step's time, and when it ended: where the minutes go. */
function summary() {
	console.log(`\nsteps: ${times.join(', ')}`);
}

/** @param {number} ms */
function seconds(ms) {
	return `${(ms / 1000).toFixed(1)} s`;
}
