export { EXTRA_COMMANDS, run } from './mltrace';
