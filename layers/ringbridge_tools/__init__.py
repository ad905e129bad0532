"""The tooling beside the runtime package: the ``ringbridge`` CLI, the local stack and the fake vendors."""
