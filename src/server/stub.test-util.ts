// The one place server tests get the stub Zuora from (moving to `../testing/index.js`: change this line).
export {startZuoraStub, type ZuoraStub, type ZuoraStubOptions} from '../../demo/zuora-stub.mjs';
