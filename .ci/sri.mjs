// The build's one writer of dist/sri.json: the sha384 Subresource Integrity hash of each
// script-tag file, for `<script integrity>` (PCI DSS 4.0 requirement 6.4.3 asks for script
// integrity on payment pages). Used by rollup.config.mjs.
import {createHash} from 'node:crypto';
import {readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';

/**
 * A Rollup plugin shared by every script-tag build. Each build hands it the files it wrote (the
 * bytes on disk, as a browser receives them); when the last of `files` is in, `sri.json` is
 * written, once, sorted by file.
 * @param {{directory: string, files: string[]}} options the output directory and the script-tag files in it (relative paths, `/`-separated)
 * @returns {import('rollup').Plugin}
 */
export function subresourceIntegrity({directory, files}) {
	/** @type {Map<string, string>} */
	const hashes = new Map();
	return {
		name: 'subresource-integrity',
		writeBundle(options, bundle) {
			const outputDirectory = options.dir ?? path.dirname(options.file ?? '');
			for (const output of Object.values(bundle)) {
				const file = path.relative(directory, path.join(outputDirectory, output.fileName)).split(path.sep).join('/');
				if (output.type === 'chunk' && files.includes(file)) {
					hashes.set(
						file,
						`sha384-${createHash('sha384')
							.update(readFileSync(path.join(outputDirectory, output.fileName)))
							.digest('base64')}`,
					);
				}
			}

			if (files.every(file => hashes.has(file))) {
				const sorted = Object.fromEntries([...hashes].sort(([a], [b]) => a.localeCompare(b)));
				writeFileSync(path.join(directory, 'sri.json'), `${JSON.stringify(sorted, undefined, 2)}\n`);
			}
		},
	};
}
