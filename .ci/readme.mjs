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
//           `npm ci`, `npm pack`, `npm install zuora-cors` or its tarball (`<dir>/zuora-cors-<version>.tgz`),
//           `npm install [--save-dev] <packages>` each a peer or dev dependency (what the tests
//           install and run the README against), or `npx playwright install <browsers>`.
//   links   every relative link of README.md and of the repository's other Markdown files
//           resolves: a file or folder in the repository, a `#fragment` a heading of its target.
// Any other language, or a block without one, is refused.
//
//   npm run build && node .ci/readme.mjs [<a Markdown file>]       (exit 1 with one line per problem)
import {spawnSync} from 'node:child_process';
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** @typedef {{lang: string, text: string, line: number, file: string | undefined}} Block */
/** @typedef {{name: string, version?: string, scripts: Record<string, string>, peerDependencies?: Record<string, string>, devDependencies?: Record<string, string>}} Manifest */

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
		// A file name, or a path inside the project (a Next.js route: app/checkout/[endpoint]/route.js).
		const file = /<!--.*\b(?:runs|serves|bundles) this block as ([\w.\-/[\]]*\w)/.exec(previous)?.[1];
		blocks.push({lang, text: lines.slice(index + 1, close).join('\n'), line: index + 1, file});
		index = close;
	}

	return blocks;
}

/**
 * The commands of an `sh` block that are not allowed.
 * @param {Block} block
 * @param {Manifest} manifest
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

		if (!shellCommandAllowed(command.split(/\s+/), manifest)) {
			problems.push(
				`line ${block.line + 1 + offset}: \`${command}\` is not an npm script of this package, \`npm pack\`, an install of its tarball, of a peer dependency or of a package its tests install, nor \`npx playwright install <browser>\``,
			);
		}
	}

	return problems;
}

/**
 * Whether a README command is one the tests stand behind: this package's own scripts, `npm pack`
 * and an install of the tarball it writes (`<dir>/<name>-<version>.tgz`), an install of a peer
 * dependency or of packages the tests themselves install (devDependencies: a framework, a Redis
 * client), Playwright's browser download.
 * @param {string[]} words
 * @param {Manifest} manifest
 */
function shellCommandAllowed([tool, verb, ...rest], manifest) {
	const tested = {...manifest.devDependencies, ...manifest.peerDependencies};
	const tarball = new RegExp(`^(?:[\\w.-]+/)*${manifest.name}-${(manifest.version ?? '').replaceAll('.', '\\.')}\\.tgz$`);
	if (tool === 'npx') {
		return verb === 'playwright' && rest[0] === 'install' && rest.length >= 2 && rest.slice(1).every(browser => ['chromium', 'firefox', 'webkit'].includes(browser));
	}

	if (tool !== 'npm') {
		return false;
	}

	const names = rest[0] === '--save-dev' ? rest.slice(1) : rest;
	return (
		(rest.length === 0 && (verb === 'start' || verb === 'test' || verb === 'ci' || verb === 'pack')) ||
		(verb === 'run' && rest.length === 1 && Object.hasOwn(manifest.scripts, rest[0] ?? '')) ||
		(verb === 'install' && rest.length === 1 && (rest[0] === manifest.name || tarball.test(rest[0] ?? ''))) ||
		(verb === 'install' && names.length > 0 && names.every(name => Object.hasOwn(tested, name)))
	);
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
			mkdirSync(path.dirname(path.join(folder, file)), {recursive: true});
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
			const block = files.get(path.relative(folder, path.resolve(root, file)).split(path.sep).join('/')) ?? files.get(path.basename(file));
			problems.push(block ? `line ${block.line + Number(row)} (${block.lang} block${block.file ? ` ${block.file}` : ''}): ${message}` : `${file}(${row}): ${message}`);
		}

		return problems.length > 0 ? problems : [`tsc exited with ${status}`];
	} finally {
		rmSync(folder, {recursive: true, force: true});
	}
}

/**
 * The anchor GitHub gives a heading: lower case, punctuation but `-` and `_` dropped, spaces as
 * `-`; a repeated one gets `-1`, `-2`, …
 * @param {string} markdown
 * @returns {Set<string>}
 */
export function headingAnchors(markdown) {
	const anchors = new Set();
	/** @type {Map<string, number>} */
	const seen = new Map();
	const fenced = fencedLines(markdown);
	for (const [index, line] of markdown.split('\n').entries()) {
		const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
		if (!heading || fenced.has(index)) {
			continue;
		}

		const base = (heading[1] ?? '')
			.replace(/<[^>]*>/g, '')
			.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
			.toLowerCase()
			.replace(/[^\p{L}\p{N}\s_-]/gu, '')
			.replace(/\s/g, '-');
		const count = seen.get(base) ?? 0;
		seen.set(base, count + 1);
		anchors.add(count === 0 ? base : `${base}-${count}`);
	}

	return anchors;
}

/**
 * The lines (0-based) of `markdown` inside a fenced code block, the fences included.
 * @param {string} markdown
 * @returns {Set<number>}
 */
function fencedLines(markdown) {
	const lines = new Set();
	for (const block of extractBlocks(markdown)) {
		const last = block.line + block.text.split('\n').length;
		for (let line = block.line - 1; line <= last; line++) {
			lines.add(line);
		}
	}

	return lines;
}

/**
 * The links of a Markdown file that do not resolve: a relative target must be a file or folder
 * inside the repository, and its `#fragment` (or a bare `#fragment`) a heading of the Markdown file
 * it names. Links in code blocks and inline code are not links; `http(s):`/`mailto:` are not checked.
 * @param {string} markdown
 * @param {string} file the Markdown file's path
 * @returns {string[]}
 */
export function checkLinks(markdown, file) {
	const problems = [];
	const fenced = fencedLines(markdown);
	for (const [index, raw] of markdown.split('\n').entries()) {
		if (fenced.has(index)) {
			continue;
		}

		const line = raw.replace(/`[^`]*`/g, '');
		for (const match of line.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)|<(?:img|a)\s[^>]*(?:src|href)="([^"]+)"/g)) {
			const target = match[1] ?? match[2] ?? '';
			if (/^(?:https?|mailto):/i.test(target)) {
				continue;
			}

			const problem = linkProblem(target, file, markdown);
			if (problem) {
				problems.push(`${path.relative(root, file)} line ${index + 1}: ${problem}`);
			}
		}
	}

	return problems;
}

/**
 * @param {string} target
 * @param {string} file
 * @param {string} markdown
 * @returns {string | undefined}
 */
function linkProblem(target, file, markdown) {
	const [pathPart = '', fragment] = target.split('#', 2);
	const resolved = pathPart === '' ? file : path.resolve(path.dirname(file), decodeURIComponent(pathPart));
	if (!resolved.startsWith(root)) {
		return `${target} points outside the repository`;
	}

	if (!existsSync(resolved)) {
		return `${target}: no such file in the repository`;
	}

	if (fragment !== undefined && resolved.endsWith('.md')) {
		const text = resolved === file ? markdown : readFileSync(resolved, 'utf8');
		if (!headingAnchors(text).has(fragment)) {
			return `${target}: no heading with the anchor #${fragment}`;
		}
	}

	return undefined;
}

/**
 * What in the repository's files points at a file outside it: an absolute path into a machine's
 * folders (/work/, /home/, /Users/), or a Markdown file named that the repository does not hold
 * (a contributor note citing a document only its author's machine has).
 * @param {Array<{file: string, text: string}>} files the repository's text files
 * @returns {string[]}
 */
export function checkOutsideReferences(files) {
	const names = new Set(files.map(({file}) => path.basename(file)));
	const problems = [];
	for (const {file, text} of files) {
		for (const [index, line] of text.split('\n').entries()) {
			for (const match of line.matchAll(/(?:^|[\s`'"(])(\/(?:work|home|Users)\/[\w./-]+)|\b([\w-]+\.md)\b/g)) {
				const outside = match[1] ?? (match[2] && !names.has(match[2]) ? match[2] : undefined);
				if (outside) {
					problems.push(`${file} line ${index + 1}: ${outside} is not in the repository`);
				}
			}
		}
	}

	return problems;
}

/**
 * The repository's tracked text files (git ls-files): the lock file, binaries and this checker's
 * own test (whose examples are outside paths on purpose) left out.
 */
export function repositoryTextFiles() {
	const {stdout} = spawnSync('git', ['ls-files', '-z'], {cwd: root, encoding: 'utf8'});
	return stdout
		.split('\0')
		.filter(file => file !== '' && file !== 'package-lock.json' && file !== '.ci/readme.test.mjs' && !/\.(?:png|jpe?g|gif|ico|woff2?|tgz)$/i.test(file) && existsSync(path.join(root, file)))
		.map(file => ({file, text: readFileSync(path.join(root, file), 'utf8')}));
}

/**
 * Every problem of a README's code blocks (none: an empty array).
 * @param {string} markdown
 * @param {Manifest} manifest
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
	const files = repositoryTextFiles();
	const problems = [
		...(await checkReadme(markdown, manifest)),
		...files.filter(({file: name}) => name.endsWith('.md')).flatMap(({file: name, text}) => checkLinks(text, path.join(root, name))),
		...checkOutsideReferences(files),
	];
	const blocks = extractBlocks(markdown);
	if (problems.length > 0) {
		console.error(
			`${path.relative(root, file)}: ${problems.length} problem(s) in its code blocks, the links of the Markdown files, or paths outside the repository:\n${problems.map(problem => `  ${problem}`).join('\n')}`,
		);
		process.exitCode = 1;
	} else {
		/** @type {Map<string, number>} */
		const counts = new Map();
		for (const block of blocks) {
			counts.set(block.lang, (counts.get(block.lang) ?? 0) + 1);
		}

		console.log(
			`${path.relative(root, file)}: ${blocks.length} code blocks checked (${[...counts].map(([lang, count]) => `${count} ${lang}`).join(', ')}); the links of ${files.filter(({file: name}) => name.endsWith('.md')).length} Markdown files resolve; no path outside the repository in ${files.length} files`,
		);
	}
}
