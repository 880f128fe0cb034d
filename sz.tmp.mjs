import {rollup} from 'rollup';
import typescript from '@rollup/plugin-typescript';
import terser from '@rollup/plugin-terser';
import {gzipSync} from 'node:zlib';
const b = await rollup({input: 'src/index.ts', external: ['ky','credit-card-type'], plugins: [typescript({tsconfig:'./tsconfig.json', declaration:false, outDir:'dist'}), terser({compress:{passes:2}})]});
const {output} = await b.generate({format:'iife', name:'Z', globals:{ky:'ky','credit-card-type':'c'}});
import fs from 'node:fs'; fs.writeFileSync('/tmp/ours.js', output[0].code); console.log('ours', output[0].code.length, gzipSync(output[0].code,{level:9}).length);
