// The one place server tests get the stub Zuora from (the package's testing entry, from source).
export {startZuoraStub, type ZuoraStub, type ZuoraStubOptions} from '../testing/index.js';
