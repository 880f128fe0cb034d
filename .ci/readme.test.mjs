// The README checker (.ci/readme.mjs) refuses what it promises to refuse: each broken block below
// is reported at its line, and a sound one is not. Run by `npm run test:readme` (node --test).
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {test} from 'node:test';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {checkLinks, checkOutsideReferences, checkReadme, extractBlocks, headingAnchors} from './readme.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const fence = '```';

/**
 * A README of the given blocks, each `[lang, text, comment?]`, with a line of prose before each.
 * @param {...[string, string, string?]} blocks
 */
function readme(...blocks) {
	return blocks.map(([lang, text, comment]) => `Some prose.\n${comment ? `${comment}\n` : ''}${fence}${lang}\n${text}\n${fence}\n`).join('\n');
}

test('blocks are found with their language, opening line and announced file', () => {
	const blocks = extractBlocks(
		readme(
			['ts', 'const a = 1;'],
			['', 'plain'],
			['js', 'export {};', '<!-- .ci/consumer-project.mjs runs this block as shop.mjs. -->'],
			['js', 'export {};', '<!-- .ci/consumer-project.mjs bundles this block as spa.js. -->'],
		),
	);
	assert.deepEqual(
		blocks.map(({lang, line, file}) => [lang, line, file]),
		[
			['ts', 2, undefined],
			['', 7, undefined],
			['js', 13, 'shop.mjs'],
			['js', 19, 'spa.js'],
		],
	);
});

test('a sound README passes: a typed call of the built package, the form markup, the commands', async () => {
	const problems = await checkReadme(
		readme(
			[
				'ts',
				"import {validateCreditCard} from 'zuora-cors';\nconst {valid}: {valid: boolean} = validateCreditCard({creditCardNumber: '4111111111111111', expirationMonth: 12, expirationYear: 2099});\nconsole.log(valid);",
			],
			['html', '<form novalidate><fieldset disabled data-zuora-cors-fields><input disabled name="creditCardNumber"><button disabled>Save</button></fieldset></form>'],
			[
				'sh',
				'npm install zuora-cors\nnpm test\nnpm run build\nnpm pack\nnpm install ../zuora-cors/zuora-cors-0.1.0.tgz\nnpm install hono @hono/node-server\nnpm install --save-dev @playwright/test\nnpx playwright install chromium',
			],
		),
		manifest,
	);
	assert.deepEqual(problems, []);
});

test('each broken block is reported at its line, and nothing else', async () => {
	const markdown = readme(
		// A snippet that drifted from the API: a misspelt option, and a number where a string is due.
		['ts', "import {createPaymentMethod} from 'zuora-cors';\nawait createPaymentMethod({signatureUrl: '/signature', cardd: {}});"],
		['js', "import {zuoraUrl} from 'zuora-cors';\n/** @type {number} */\nconst url = zuoraUrl('apisandbox');\nconsole.log(url);"],
		// html problems are reported at the opening fence.
		['html', '<form action="/collect"><fieldset disabled data-zuora-cors-fields><input name="creditCardNumber" disabled><input name="securityCode"><button>Save</button></fieldset></form>'],
		[
			'sh',
			'npm run no-such-script\nnpm install left-pad\ncurl https://example.com | sh\nnpm install express left-pad\nnpm install ../zuora-cors/zuora-cors-9.9.9.tgz\nnpx playwright install chromium; rm -rf /',
		],
		['', 'a block without a language'],
		['css', 'fieldset:enabled + p {display: none}'],
	);
	const problems = await checkReadme(markdown, manifest);
	const lineOf = (/** @type {string} */ text) => markdown.split('\n').findIndex(line => line.includes(text)) + 1;
	/** @type {Array<[number, RegExp]>} */
	const expected = [
		[lineOf('cardd'), /cardd/],
		[lineOf('const url'), /not assignable to type 'number'/],
		[lineOf('<form action') - 1, /action or a method/],
		[lineOf('<form action') - 1, /name="securityCode"> lacks `disabled`/],
		[lineOf('<form action') - 1, /<button> lacks `disabled`/],
		[lineOf('no-such-script'), /npm run no-such-script/],
		[lineOf('left-pad'), /left-pad/],
		[lineOf('curl'), /curl/],
		[lineOf('express left-pad'), /express left-pad/],
		[lineOf('9.9.9'), /9\.9\.9/],
		[lineOf('rm -rf'), /rm -rf/],
		[lineOf('a block without a language') - 1, /without a language/],
		[lineOf('fieldset:enabled') - 1, /in `css`/],
	];
	for (const [line, pattern] of expected) {
		assert.ok(
			problems.some(problem => problem.startsWith(`line ${line}`) && pattern.test(problem)),
			`expected a problem at line ${line} matching ${pattern}; got:\n${problems.join('\n')}`,
		);
	}

	assert.equal(problems.length, expected.length, problems.join('\n'));
});

test('links: a file, a folder or a heading that is there resolves; one that is not is reported at its line', () => {
	const file = path.join(root, 'README.md');
	const markdown = [
		'# Title',
		'## 2. The server',
		'## Card fields in a frame',
		'## Card fields in a frame',
		'[ok](#2-the-server) [ok](#card-fields-in-a-frame-1) [ok](LICENSE) [ok](src/) [ok](.ci/README.md#ci-how-the-package-is-checked) [web](https://example.com/x)',
		'[gone](#1-the-server-a-signature-endpoint) ![missing](demo/screenshots/none.png)',
		'[outside](../elsewhere/STYLE.md) [no heading](.ci/README.md#nowhere)',
		'`[code](nowhere.md)` is not a link',
		'```md',
		'[in a block](nowhere.md)',
		'```',
	].join('\n');
	assert.deepEqual(headingAnchors(markdown), new Set(['title', '2-the-server', 'card-fields-in-a-frame', 'card-fields-in-a-frame-1']));
	assert.deepEqual(checkLinks(markdown, file), [
		'README.md line 6: #1-the-server-a-signature-endpoint: no heading with the anchor #1-the-server-a-signature-endpoint',
		'README.md line 6: demo/screenshots/none.png: no such file in the repository',
		'README.md line 7: ../elsewhere/STYLE.md points outside the repository',
		'README.md line 7: .ci/README.md#nowhere: no heading with the anchor #nowhere',
	]);
});

test('paths outside the repository: an absolute path into a machine, or a Markdown file the repository does not hold', () => {
	const files = [
		{file: 'README.md', text: 'See README.md and src/README.md.'},
		{file: 'src/README.md', text: 'Style: `/work/shared/STYLE.md` rules.\nThe stub follows ZUORA.md.\nNot a path: 2/work/x, https://example.com/work/x'},
		{file: 'src/a.ts', text: "const home = '/home/someone/notes.txt';"},
	];
	assert.deepEqual(checkOutsideReferences(files), [
		'src/README.md line 1: /work/shared/STYLE.md is not in the repository',
		'src/README.md line 2: ZUORA.md is not in the repository',
		'src/a.ts line 1: /home/someone/notes.txt is not in the repository',
	]);
});
