// hls.js, minified (hls.min.js from the npm package), fetched only when a page needs HLS and
// the browser cannot play it natively. Resolves to the Hls class, or null when unavailable.
let loading = null;

export function loadHls() {
  if (window.Hls) return Promise.resolve(window.Hls);
  if (!loading) {
    loading = new Promise((resolve) => {
      const script = document.createElement("script");
      script.src = "/static/vendor/hls.min.js";
      script.async = true;
      script.addEventListener("load", () => resolve(window.Hls || null));
      script.addEventListener("error", () => { loading = null; resolve(null); });
      document.head.append(script);
    });
  }
  return loading;
}
