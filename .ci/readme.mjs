// Every fenced code block of README.md is checked, so the README cannot drift from the package:
//   ts, js  written into a temporary folder inside the repository and type-checked together with
//           `tsc --strict` (DOM and Node types); 'zuora-cors/…' resolves to the BUILT declarations
//           (dist/) through package.json `exports`, as in a merchant's project. A block announced by
//           a comment `<!-- … runs this block as <file> -->` (or `serves`/`bundles … as <file>`) is written
//           under that name, so the blocks of the ten-minute integration import each other as
//           they do when .ci/consumer-project.mjs runs them.
//   html    parsed (happy-dom); a block holding the card form must have every control of its
//           `data-zuora-cors-fields` fieldset, and the submit button, `disabled` in the markup,
//           and no form `action` (e2e/no-script.spec.ts loads that form without the library).
//   sh      every command is `npm start`, `npm test`, `npm run <a script of package.json>`,
//           `npm install zuora-cors` or `npm install --save-dev <a peer dependency>`.
// Any other language, or a block without one, is refused.
//
//   npm run build && node .ci/readme.mjs [file.md]       (exit 1 with one line per problem)
import {spawnSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** @typedef {{lang: string, text: string, line: number, file: string | undefined}} Block */

/**
 * The fenced blocks of a Markdown text, with the line of their opening fence (1-based) and the file
 * name a comment right before the fence gives them.
 * @param {string} markdown
 * @returns {Block[]}
 */
export function extractBlocks(markdown) {
	const lines = markdown.split('\n');
	/** @type {Block[]} */
	const blocks = [];
	for (let index = 0; index < lines.length; index++) {
		const open = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)/.exec(lines[index] ?? '');
		if (!open) {
			continue;
		}

		const [, , fence = '```', lang = ''] = open;
		const end = lines.findIndex((line, at) => at > index && line.trim().startsWith(fence) && line.trim().replace(/[`~]/g, '') === '');
		const close = end === -1 ? lines.length : end;
		const previous = lines[index - 1] ?? '';
		const file = /<!--.*\b(?:runs|serves|bundles) this block as ([\w.-]*\w)/.exec(previous)?.[1];
		blocks.push({lang, text: lines.slice(index + 1, close).join('\n'), line: index + 1, file});
		index = close;
	}

	return blocks;
}

/**
 * The commands of an `sh` block that are not allowed.
 * @param {Block} block
 * @param {{scripts: Record<string, string>, peerDependencies?: Record<string, string>, name: string}} manifest
 * @returns {string[]}
 */
export function checkShell(block, manifest) {
	const problems = [];
	const lines = block.text.split('\n');
	for (const [offset, raw] of lines.entries()) {
		const command = raw.trim();
		if (command === '' || command.startsWith('#')) {
			continue;
		}

		const words = command.split(/\s+/);
		const [npm, verb, ...rest] = words;
		const allowed =
			npm === 'npm' &&
			((rest.length === 0 && (verb === 'start' || verb === 'test')) ||
				(verb === 'run' && rest.length === 1 && Object.hasOwn(manifest.scripts, rest[0] ?? '')) ||
				(verb === 'install' && rest.length === 1 && rest[0] === manifest.name) ||
				(verb === 'install' && rest.length === 2 && rest[0] === '--save-dev' && Object.hasOwn(manifest.peerDependencies ?? {}, rest[1] ?? '')));
		if (!allowed) {
			problems.push(`line ${block.line + 1 + offset}: \`${command}\` is not an npm script of this package nor \`npm install ${manifest.name}\``);
		}
	}

	return problems;
}

/**
 * What is wrong with an `html` block: markup the parser cannot read is not caught here (browsers
 * read anything), but a card form must hold its controls disabled and have no action.
 * @param {Block} block
 * @returns {Promise<string[]>}
 */
export async function checkHtml(block) {
	const {Window} = await import('happy-dom');
	const window = new Window();
	try {
		const document = window.document;
		document.write(block.text);
		const problems = [];
		for (const fieldset of document.querySelectorAll('fieldset[data-zuora-cors-fields]')) {
			const form = fieldset.closest('form');
			if (!form) {
				problems.push('a data-zuora-cors-fields fieldset outside a <form>');
			} else if (form.hasAttribute('action') || form.hasAttribute('method')) {
				problems.push('the card form has an action or a method: a native submission would send the card there');
			}

			if (!fieldset.hasAttribute('disabled')) {
				problems.push('the data-zuora-cors-fields fieldset lacks `disabled`');
			}

			for (const control of fieldset.querySelectorAll('input, select, textarea, button')) {
				if (!control.hasAttribute('disabled')) {
					problems.push(`<${control.tagName.toLowerCase()}${control.getAttribute('name') ? ` name="${control.getAttribute('name')}"` : ''}> lacks \`disabled\` in the markup`);
				}
			}
		}

		return problems.map(problem => `line ${block.line}: ${problem}`);
	} finally {
		await window.happyDOM.close();
	}
}

/**
 * Type-checks the ts and js blocks together (each its own module) under `strict`.
 * @param {Block[]} blocks
 * @returns {string[]}
 */
export function typecheck(blocks) {
	if (blocks.length === 0) {
		return [];
	}

	// Inside the repository, so 'zuora-cors/…' resolves to the build through package.json exports.
	const folder = mkdtempSync(path.join(root, '.ci', '.readme-check-'));
	try {
		/** @type {Map<string, Block>} */
		const files = new Map();
		for (const block of blocks) {
			const file = block.file ?? `block-${block.line}.${block.lang === 'ts' ? 'ts' : 'mjs'}`;
			if (files.has(file)) {
				throw new Error(`two blocks are named ${file} (lines ${files.get(file)?.line} and ${block.line})`);
			}

			files.set(file, block);
			writeFileSync(path.join(folder, file), `${block.text}\n`);
		}

		const compilerOptions = {
			strict: true,
			noEmit: true,
			target: 'ES2022',
			module: 'NodeNext',
			moduleResolution: 'NodeNext',
			lib: ['ES2022', 'DOM', 'DOM.Iterable'],
			types: ['node'],
			allowJs: true,
			checkJs: true,
			skipLibCheck: true,
			allowImportingTsExtensions: false,
		};
		writeFileSync(path.join(folder, 'tsconfig.json'), JSON.stringify({compilerOptions, files: [...files.keys()]}, null, '\t'));
		const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
		const {stdout, stderr, status} = spawnSync(process.execPath, [tsc, '-p', folder, '--pretty', 'false'], {encoding: 'utf8'});
		if (status === 0) {
			return [];
		}

		const problems = [];
		for (const line of `${stdout}\n${stderr}`.split('\n')) {
			const error = /^(.+?)\((\d+),(\d+)\): (error .*)$/.exec(line.trim());
			if (!error) {
				// A message's further lines are indented: they belong to the problem above.
				if (/^\s/.test(line) && problems.length > 0) {
					problems[problems.length - 1] += ` ${line.trim()}`;
				} else if (line.trim() !== '') {
					problems.push(`tsc: ${line.trim()}`);
				}

				continue;
			}

			const [, file = '', row = '0', , message] = error;
			const block = files.get(path.basename(file));
			problems.push(block ? `line ${block.line + Number(row)} (${block.lang} block${block.file ? ` ${block.file}` : ''}): ${message}` : `${file}(${row}): ${message}`);
		}

		return problems.length > 0 ? problems : [`tsc exited with ${status}`];
	} finally {
		rmSync(folder, {recursive: true, force: true});
	}
}

/**
 * Every problem of a README's code blocks (none: an empty array).
 * @param {string} markdown
 * @param {{scripts: Record<string, string>, peerDependencies?: Record<string, string>, name: string}} manifest
 * @returns {Promise<string[]>}
 */
export async function checkReadme(markdown, manifest) {
	const blocks = extractBlocks(markdown);
	const problems = [];
	for (const block of blocks) {
		if (block.lang === 'sh') {
			problems.push(...checkShell(block, manifest));
		} else if (block.lang === 'html') {
			problems.push(...(await checkHtml(block)));
		} else if (block.lang !== 'ts' && block.lang !== 'js') {
			problems.push(`line ${block.line}: a code block ${block.lang === '' ? 'without a language' : `in \`${block.lang}\``}: only ts, js, html and sh blocks can be checked`);
		}
	}

	problems.push(...typecheck(blocks.filter(block => block.lang === 'ts' || block.lang === 'js')));
	return problems;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
	const file = process.argv[2] ?? path.join(root, 'README.md');
	const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
	const markdown = readFileSync(file, 'utf8');
	const problems = await checkReadme(markdown, manifest);
	const blocks = extractBlocks(markdown);
	if (problems.length > 0) {
		console.error(`${path.relative(root, file)}: ${problems.length} problem(s) in its code blocks:\n${problems.map(problem => `  ${problem}`).join('\n')}`);
		process.exitCode = 1;
	} else {
		/** @type {Map<string, number>} */
		const counts = new Map();
		for (const block of blocks) {
			counts.set(block.lang, (counts.get(block.lang) ?? 0) + 1);
		}

		console.log(`${path.relative(root, file)}: ${blocks.length} code blocks checked (${[...counts].map(([lang, count]) => `${count} ${lang}`).join(', ')})`);
	}
}
