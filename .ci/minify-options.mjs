// How every minified file is minified: the script-tag builds (rollup.config.mjs) and the apps that
// `npm run size` measures. Only transforms that keep behaviour: no `unsafe` property or getter
// assumptions (the library reads a hostile page's objects), arrows only where `this`/`arguments`
// are unused.
/** @type {import('@rollup/plugin-terser').Options} */
export const minifyOptions = {
	ecma: 2020,
	format: {comments: false},
	compress: {passes: 3, unsafe_arrows: true},
};
