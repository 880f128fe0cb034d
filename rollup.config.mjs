import commonjs from '@rollup/plugin-commonjs';
import {nodeResolve} from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';

const input = 'src/index.ts';

/** @type {import('rollup').RollupOptions[]} */
export default [
	// ESM for bundlers: dependencies stay external so the app dedupes them; declarations beside it.
	{
		input,
		external: ['ky'],
		output: {file: 'dist/zuora-cors.js', format: 'es', sourcemap: true},
		plugins: [typescript({tsconfig: './tsconfig.json', declaration: true, declarationDir: 'dist', outDir: 'dist'})],
	},
	// Script tag: everything inlined and minified, exposed as window.ZuoraCors.
	{
		input,
		output: {file: 'dist/zuora-cors.iife.min.js', format: 'iife', name: 'ZuoraCors', sourcemap: true},
		plugins: [
			nodeResolve({browser: true}),
			commonjs(),
			typescript({tsconfig: './tsconfig.json', declaration: false, declarationMap: false, outDir: 'dist'}),
			terser({format: {comments: false}, compress: {passes: 2}}),
		],
	},
];
