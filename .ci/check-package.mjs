console.log("check:package: not written yet");
