export { chromiumPath, launchChromium } from '../../scripts/chromium';
