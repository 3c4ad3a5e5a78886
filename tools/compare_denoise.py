#!/usr/bin/python3
"""Denoise beside darktable and RawTherapee (issue 13): an oracle for what a classical denoiser reaches.

Run by hand, not in CI:  /usr/bin/python3 tools/compare_denoise.py [--images 17-24] [--noise 0.02,0.04]
    [--tools rawengine,darktable,rawtherapee,darktable-on-rawengine,rawtherapee-on-rawengine] [--work DIR] [--quick]

Kodak images become identity-camera DNGs with Poisson-Gaussian noise and a NoiseProfile through the bench
(`bench -- roundtrip --keep DIR [--noise SIGMA]`, the DNGs the denoise numbers in the README come from). Each tool
renders them to 16-bit TIFF with its own pipeline, as neutral as it allows (no tone curve, sRGB output), with its
denoise off and at every setting of a small sweep. Two protocols:

  own reference: the noise-free DNG rendered by the same tool with denoise off is the reference, so the tool's
      demosaic, colour and tone cancel; PSNR(noisy, off) and PSNR(noisy, on) against it, the gain, and the share
      of the noise's squared error removed (1 - 10^(-gain/10)).
  Kodak truth: the same renders against the Kodak PNG (centre-cropped to the render), as `bench -- roundtrip`
      scores RawEngine; the share removed is (MSE_off - MSE_on) / (MSE_off - MSE_clean) from the mean dB values.

The own reference counts as error whatever a denoiser does to the clean signal, including smoothing away the
tool's own demosaic artefacts; Kodak truth rewards that, and the other tools' demosaics are further from Kodak than
RawEngine's. So `darktable-on-rawengine` and `rawtherapee-on-rawengine` run the other tool's denoise on RawEngine's
demosaic (its render with no denoise, linear-light sRGB float TIFF, which they read as such: denoise off reproduces
RawEngine's scores exactly): the same input as `--denoise classic`, scored the same way, only the denoiser differs.

Each tool's best setting per noise level (by the own-reference score, tuned on the same images: its best case) goes
to the summary table; every setting of the run goes to WORK/results.tsv. Times are wall seconds of each batch render per MP
(the whole render: decode, demosaic, denoise, encode; startup included) and the denoise's share: the render's time
less the same tool's denoise-off render, as MP/s; darktable's own per-module wall and CPU time (`-d perf`) as well.
Renders run with `nice -n 10`, so on a shared machine the times are rough: compare them within one run.
A tool that is not installed is skipped with a message (Debian: apt-get install darktable rawtherapee).
"""
import argparse
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import time
import zlib

import numpy as np
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KODAK = os.path.join(ROOT, '..', 'shared', 'testdata', 'kodak24')
BORDER = 10
NICE = ['nice', '-n', '10']


# ---------------------------------------------------------------- images

def read_tiff(path):
    """RGB of an 8/16-bit chunky TIFF (none or deflate, predictor 1 or 2) as float64 on the 0..255 scale."""
    data = open(path, 'rb').read()
    order = '<' if data[:2] == b'II' else '>'
    (ifd,) = struct.unpack(order + 'I', data[4:8])
    (count,) = struct.unpack(order + 'H', data[ifd:ifd + 2])
    sizes = {1: ('B', 1), 3: ('H', 2), 4: ('I', 4)}
    tags = {}
    for i in range(count):
        tag, kind, n, value = struct.unpack(order + 'HHI4s', data[ifd + 2 + 12 * i:ifd + 14 + 12 * i])
        if kind not in sizes:
            continue
        code, size = sizes[kind]
        raw = value if size * n <= 4 else data[struct.unpack(order + 'I', value)[0]:][:size * n]
        tags[tag] = struct.unpack(order + code * n, raw[:size * n])
    width, height, channels, bits = tags[256][0], tags[257][0], tags[277][0], tags[258][0]
    compression, predictor = tags[259][0], tags.get(317, (1,))[0]
    if compression not in (1, 8, 32946) or predictor not in (1, 2) or bits not in (8, 16):
        raise ValueError(f'{path}: unsupported TIFF (compression {compression}, predictor {predictor}, {bits} bits)')
    payload = bytearray()
    for offset, length in zip(tags[273], tags[279]):
        strip = data[offset:offset + length]
        payload += zlib.decompress(strip) if compression != 1 else strip
    pixels = np.frombuffer(bytes(payload), np.dtype(order + ('u1' if bits == 8 else 'u2')), width * height * channels)
    pixels = pixels.reshape(height, width, channels).astype(np.int64)
    if predictor == 2:
        pixels = np.cumsum(pixels, axis=1) & ((1 << bits) - 1)
    return pixels[:, :, :3] * (255.0 / ((1 << bits) - 1))


def centre_crop(image, height, width):
    top, left = (image.shape[0] - height) // 2, (image.shape[1] - width) // 2
    return image[top:top + height, left:left + width]


def mse(a, b):
    d = a[BORDER:-BORDER, BORDER:-BORDER] - b[BORDER:-BORDER, BORDER:-BORDER]
    return float(np.mean(d * d))


def psnr(error):
    return 10 * np.log10(255.0 ** 2 / error)


# ---------------------------------------------------------------- tools

class RawEngine:
    name = 'rawengine'
    linear_input = False

    def __init__(self):
        self.launcher = os.path.join(ROOT, 'rawengine')

    def available(self):
        return None if os.access(self.launcher, os.X_OK) else f'{self.launcher} missing'

    def settings(self, quick):
        strengths = [1.0] if quick else [0.5, 0.75, 1.0, 1.5, 2.0]
        settings = [('off', 'none', [])] + [('wavelets', f'classic:{s:g}', ['--denoise', f'classic:{s:g}']) for s in strengths]
        models = ['--models', os.path.join(ROOT, 'models')]
        settings.append(('network', 'nn (nafnet-denoise)', ['--denoise', 'nn', *models]))
        if not quick:
            settings.append(('large network', 'nn (nafnet-denoise-large)', ['edit:nafnet-denoise-large', *models]))
        return settings

    def render(self, inputs, setting, sigma, out):
        args = []
        for a in setting:
            if a.startswith('edit:'):
                edit = os.path.join(out, 'edit.json')
                json.dump({'format': 'rawengine-edit', 'version': 1, 'modules': [
                    {'module': 'denoise_nn', 'params': {'model': a[5:]}}]}, open(edit, 'w'))
                args += ['--edit', edit]
            else:
                args.append(a)
        run(NICE + [self.launcher, 'convert', *inputs, '-o', out, '--format', 'tif', '--bits', '16', '--tone', 'none',
                    '--profile', 'srgb', '--overwrite', *args])
        return None


class Darktable:
    """darktable-cli with no auto-applied presets (no filmic, exposure or sharpen), display-referred, sRGB out; the
    profiled denoise (`denoiseprofile`, params version 11 of darktable 4.2) gets the file's own noise (a = sigma^2,
    b = sigma^2/100: variance a x + b on the 0..1 raw scale, what the bench puts in)."""
    MODE_NLMEANS, MODE_WAVELETS = 0, 1
    COLOUR_RGB, COLOUR_Y0U0V0 = 0, 1

    def __init__(self, work, linear_input):
        self.config = os.path.join(work, 'darktable-config')
        self.linear_input = linear_input
        self.name = 'darktable-on-rawengine' if linear_input else 'darktable'

    def available(self):
        if not shutil.which('darktable-cli'):
            return 'darktable-cli not found (apt-get install darktable)'
        version = subprocess.run(['darktable-cli', '--version'], capture_output=True, text=True).stdout
        return None if 'darktable-cli 4.2' in version else f'darktable-cli is not 4.2 ({version.split(chr(10))[0]}): params layout unknown'

    def settings(self, quick):
        settings = [('off', 'off', None)]
        wavelets = [0.5] if quick else [0.05, 0.1, 0.15, 0.25, 0.35, 0.5, 0.7, 1.0, 1.5, 2.0, 3.0]
        nlmeans = [0.15] if quick else [0.06, 0.1, 0.12, 0.15, 0.2, 0.25, 0.35]
        settings += [('wavelets', f'wavelets Y0U0V0 strength {s:g}', dict(mode=self.MODE_WAVELETS, strength=s)) for s in wavelets]
        settings += [('non-local means', f'non-local means patch 1 strength {s:g}', dict(mode=self.MODE_NLMEANS, strength=s)) for s in nlmeans]
        if not quick:
            settings += [('wavelets', f'wavelets RGB strength {s:g}', dict(mode=self.MODE_WAVELETS, strength=s, colour=self.COLOUR_RGB))
                         for s in (0.25, 0.5)]
            settings += [('non-local means', f'non-local means patch 2 strength {s:g}', dict(mode=self.MODE_NLMEANS, strength=s, radius=2.0))
                         for s in (0.1, 0.15, 0.2)]
            settings += [('non-local means', f'non-local means patch 1 search 12 strength {s:g}', dict(mode=self.MODE_NLMEANS, strength=s, search=12.0))
                         for s in (0.1, 0.15)]
        return settings

    @staticmethod
    def denoise_params(mode, strength, sigma, radius=1.0, search=7.0, colour=1):
        a, b = sigma * sigma, sigma * sigma / 100
        curve_x = [k / 6.0 for k in range(7)] * 6  # 6 channel curves of 7 bands, flat at 0.5: the module's default
        curve_y = [0.5] * 42
        # radius, nbhood, strength, shadows, bias, scattering, central pixel weight, overshooting, a[3], b[3], mode,
        # x[6][7], y[6][7], wb_adaptive_anscombe, fix_anscombe_and_nlmeans_norm, use_new_vst, wavelet_color_mode
        return struct.pack('<8f3f3fi42f42f4i', radius, search, strength, 1.0, 0.0, 0.0, 0.1, 1.0,
                           a, a, a, b, b, b, mode, *curve_x, *curve_y, 1, 1, 1, colour)

    @staticmethod
    def sidecar(history):
        items = ''.join(
            f'\n     <rdf:li darktable:num="{i}" darktable:operation="{op}" darktable:enabled="1" darktable:modversion="{version}"'
            f' darktable:params="{params.hex()}" darktable:multi_name="" darktable:multi_priority="0"/>'
            for i, (op, version, params) in enumerate(history))
        return ('<?xml version="1.0" encoding="UTF-8"?>\n'
                '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
                '  <rdf:Description rdf:about="" xmlns:darktable="http://darktable.sf.net/" darktable:xmp_version="5"'
                f' darktable:auto_presets_applied="1" darktable:history_end="{len(history)}" darktable:iop_order_version="3">\n'
                f'   <darktable:history>\n    <rdf:Seq>{items}\n    </rdf:Seq>\n   </darktable:history>\n'
                '  </rdf:Description>\n </rdf:RDF>\n</x:xmpmeta>\n')

    def render(self, inputs, setting, sigma, out):
        folder = os.path.join(out, 'input')
        os.makedirs(folder, exist_ok=True)
        for source in inputs:
            link = os.path.join(folder, os.path.basename(source))
            if not os.path.exists(link):
                os.symlink(source, link)
        history = [] if setting is None else [('denoiseprofile', 11, self.denoise_params(sigma=sigma or 0.01, **setting))]
        xmp = os.path.join(out, 'edit.xmp')
        open(xmp, 'w').write(self.sidecar(history))
        log = run(NICE + ['darktable-cli', folder, xmp, os.path.join(out, '$(FILE_NAME)'), '--out-ext', 'tif',
                          '--apply-custom-presets', 'false', '--core', '--configdir', self.config, '--library', ':memory:',
                          '--conf', 'plugins/imageio/format/tiff/bpp=16', '--conf', 'plugins/imageio/format/tiff/compress=0',
                          '--conf', 'plugins/darkroom/workflow=none', '--conf', 'plugins/darkroom/chromatic-adaptation=legacy',
                          '-d', 'perf'])
        times = re.findall(r"took ([0-9.]+) secs \(([0-9.]+) CPU\) \[export\] processed `denoise \(profiled\)'", log)
        if setting is None:
            return None
        if len(times) != len(inputs):
            # darktable drops a history entry it cannot read without failing the export
            sys.exit(f'compare_denoise: darktable ran its profiled denoise on {len(times)} of {len(inputs)} images ({out})')
        return sum(float(w) for w, _ in times), sum(float(c) for _, c in times)


class RawTherapee:
    """rawtherapee-cli from its neutral built-in profile plus a partial pp3 for [Directional Pyramid Denoising]
    (wavelet-based, in L*a*b*): luminance (Luma, Ldetail) and chrominance (manual, C2Method=MANU, else automatic).
    Chroma is 0 (no chrominance denoise) unless a setting names it: the automatic chrominance, and the manual one
    with C2Method=AUTO whatever Chroma says, moved the noise-free renders by several dB on these images."""
    def __init__(self, work, linear_input):
        self.home = os.path.join(work, 'rawtherapee-home')
        self.linear_input = linear_input
        self.name = 'rawtherapee-on-rawengine' if linear_input else 'rawtherapee'

    def available(self):
        return None if shutil.which('rawtherapee-cli') else 'rawtherapee-cli not found (apt-get install rawtherapee)'

    def settings(self, quick):
        settings = [('off', 'off', None)]
        lumas = [20] if quick else [3, 6, 10, 15, 20, 30, 45, 60]
        settings += [('wavelet pyramid', f'luma {l} detail 50', dict(Luma=l)) for l in lumas]
        if not quick:
            few = (6, 10, 20, 30)
            settings += [('wavelet pyramid', f'luma {l} detail 50 chroma {c}', dict(Luma=l, Chroma=c)) for l in few for c in (2, 5, 10)]
            settings += [('wavelet pyramid', f'luma {l} detail {d}', dict(Luma=l, Ldetail=d)) for l in few for d in (0, 80)]
            settings += [('wavelet pyramid', f'luma {l} detail 50 chroma automatic', dict(Luma=l, CMethod='AUT', C2Method='AUTO'))
                         for l in few]
            settings += [('wavelet pyramid', f'luma {l} detail 50, RGB', dict(Luma=l, Method='RGB')) for l in few]
            settings += [('wavelet pyramid', f'luma {l} detail 50, high quality', dict(Luma=l, SMethod='shalbi')) for l in few]
        return settings

    def render(self, inputs, setting, sigma, out):
        profile = os.path.join(out, 'profile.pp3')
        section = {'Enabled': 'false'} if setting is None else {
            'Enabled': 'true', 'Enhance': 'false', 'Median': 'false', 'Luma': 0, 'Ldetail': 50, 'Chroma': 0,
            'Method': 'Lab', 'LMethod': 'SLI', 'CMethod': 'MAN', 'C2Method': 'MANU', 'SMethod': 'shal',
            'MedMethod': 'soft', 'RGBMethod': 'soft', 'MethodMed': 'none', 'Redchro': 0, 'Bluechro': 0,
            'Gamma': 1.7, 'Passes': 1, **setting}
        with open(profile, 'w') as f:
            f.write('[Version]\nAppVersion=5.9\nVersion=346\n\n[Directional Pyramid Denoising]\n')
            f.writelines(f'{k}={v}\n' for k, v in section.items())
        os.makedirs(self.home, exist_ok=True)
        run(NICE + ['rawtherapee-cli', '-o', out, '-p', profile, '-t', '-b16', '-Y', '-c', *inputs],
            env=dict(os.environ, HOME=self.home))
        return None


def run(command, env=None):
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        sys.exit(f'compare_denoise: {command[3]} failed ({result.returncode}): {(result.stderr or result.stdout)[-2000:]}')
    return result.stdout + result.stderr


# ---------------------------------------------------------------- protocol

def make_dngs(work, sigmas, count):
    """The bench's noisy identity DNGs of Kodak 1..count, per noise level (0: noise-free)."""
    folders = {}
    for sigma in sigmas:
        folder = os.path.join(work, 'dng', f'noise{sigma:g}')
        if not os.path.exists(os.path.join(folder, f'kodim{count:02d}.dng')):
            noise = ['--noise', f'{sigma:g}'] if sigma > 0 else []
            run(NICE + ['dotnet', 'run', '-c', 'Release', '--project', os.path.join(ROOT, 'bench'), '--', 'roundtrip',
                        '--images', str(count), '--keep', folder, *noise, 'auto'])
        folders[sigma] = folder
    return folders


def linear_renders(work, sigma, dngs):
    """RawEngine's demosaic of the DNGs, no denoise, as linear-light sRGB float TIFFs: the other tools' input in the
    `-on-rawengine` runs, so that only their denoise differs from RawEngine's."""
    folder = os.path.join(work, 'linear', f'noise{sigma:g}')
    tiffs = [os.path.join(folder, os.path.splitext(os.path.basename(d))[0] + '.tif') for d in dngs]
    if not all(os.path.exists(t) for t in tiffs):
        run(NICE + [os.path.join(ROOT, 'rawengine'), 'convert', *dngs, '-o', folder, '--format', 'tif', '--bits', '32',
                    '--tone', 'none', '--profile', 'srgb-linear', '--overwrite'])
    return tiffs


def render_set(tool, setting, sigma, inputs, out):
    os.makedirs(out, exist_ok=True)
    clock = time.perf_counter()
    module_seconds = tool.render(inputs, setting, sigma, out)
    seconds = time.perf_counter() - clock
    images = [read_tiff(os.path.join(out, os.path.splitext(os.path.basename(i))[0] + '.tif')) for i in inputs]
    return images, seconds, module_seconds


def summarise(rows, sigmas):
    """Markdown: per tool and noise, its denoise-off row and the best setting of each of its methods."""
    lines = ['| tool | noise | setting | own ref.: off | on | gain | noise SE removed | Kodak truth: clean | off | on | gain |'
             ' noise SE removed | render s/MP (off / on) | denoise MP/s |',
             '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|']
    for tool in dict.fromkeys(r['tool'] for r in rows):
        for sigma in sigmas:
            mine = [r for r in rows if r['tool'] == tool and r['noise'] == sigma]
            off = next(r for r in mine if r['off'])
            best = {}
            for r in mine:
                if r['family'] not in best or r['own'] > best[r['family']]['own']:
                    best[r['family']] = r
            for r in best.values():
                clean, noisy, on = (10 ** (-v / 10) for v in (r['truth_clean'], off['truth'], r['truth']))
                removed_truth = (noisy - on) / (noisy - clean)
                gain = r['own'] - off['own']
                rate = r['mp'] / (r['seconds'] - off['seconds']) if r['seconds'] > off['seconds'] and not r['off'] else None
                module = (f' (module {r["mp"] / r["module_seconds"][0]:.1f}, {r["mp"] / r["module_seconds"][1]:.1f} MP/CPU-s)'
                          if r.get('module_seconds') else '')
                lines.append(f'| {tool} | {sigma:g} | {r["setting"]} | {off["own"]:.2f} | {r["own"]:.2f} | {gain:+.2f} | '
                             f'{100 * (1 - 10 ** (-gain / 10)):.0f} % | {r["truth_clean"]:.2f} | {off["truth"]:.2f} | '
                             f'{r["truth"]:.2f} | {r["truth"] - off["truth"]:+.2f} | {100 * removed_truth:.0f} % | '
                             f'{off["seconds"] / off["mp"]:.2f} / {r["seconds"] / r["mp"]:.2f} | '
                             f'{"-" if rate is None else f"{rate:.1f}"}{module} |')
    return '\n'.join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--images', default='17-24', help='Kodak numbers, FIRST-LAST (default 17-24)')
    parser.add_argument('--noise', default='0.02,0.04', help='noise levels, sigma at white (default 0.02,0.04)')
    parser.add_argument('--tools', default='rawengine,darktable,rawtherapee,darktable-on-rawengine,rawtherapee-on-rawengine')
    parser.add_argument('--work', default=os.path.join('/tmp', 'rawengine-compare-denoise'), help='kept between runs')
    parser.add_argument('--quick', action='store_true', help='one setting per method instead of the sweep')
    parser.add_argument('--only', help='run only the settings whose label matches this regular expression (and off)')
    args = parser.parse_args()
    first, last = (int(v) for v in args.images.split('-'))
    sigmas = [float(v) for v in args.noise.split(',')]
    work = os.path.abspath(args.work)
    os.makedirs(work, exist_ok=True)

    known = {'rawengine': lambda: RawEngine(), 'darktable': lambda: Darktable(work, False),
             'rawtherapee': lambda: RawTherapee(work, False), 'darktable-on-rawengine': lambda: Darktable(work, True),
             'rawtherapee-on-rawengine': lambda: RawTherapee(work, True)}
    tools = []
    for name in args.tools.split(','):
        tool = known[name]()
        missing = tool.available()
        if missing:
            print(f'compare_denoise: skipping {name}: {missing}', file=sys.stderr)
        else:
            tools.append(tool)
    if not any(t.name != 'rawengine' for t in tools):
        print('compare_denoise: neither darktable nor RawTherapee is installed; nothing to compare against', file=sys.stderr)
        return 0

    folders = make_dngs(work, [0.0] + sigmas, last)
    numbers = range(first, last + 1)
    truths = [np.asarray(Image.open(os.path.join(KODAK, f'kodim{k:02d}.png')).convert('RGB'), np.float64) for k in numbers]
    rows = []
    for tool in tools:
        settings = tool.settings(args.quick)
        off_setting = settings[0][2]
        if args.only:
            settings = settings[:1] + [s for s in settings[1:] if re.search(args.only, s[1])]
        def inputs(sigma):
            dngs = [os.path.join(folders[sigma], f'kodim{k:02d}.dng') for k in numbers]
            return linear_renders(work, sigma, dngs) if tool.linear_input else dngs
        references, _, _ = render_set(tool, off_setting, 0.0, inputs(0.0), os.path.join(work, tool.name, 'clean-off'))
        truth = [centre_crop(t, r.shape[0], r.shape[1]) for t, r in zip(truths, references)]
        truth_clean = float(np.mean([psnr(mse(r, t)) for r, t in zip(references, truth)]))
        mp = sum(r.shape[0] * r.shape[1] for r in references) / 1e6
        for sigma in sigmas:
            for family, label, setting in settings:
                out = os.path.join(work, tool.name, f'noise{sigma:g}', re.sub(r'[^A-Za-z0-9.]+', '_', label))
                images, seconds, module_seconds = render_set(tool, setting, sigma, inputs(sigma), out)
                row = dict(tool=tool.name, noise=sigma, family=family, setting=label, off=setting is off_setting, mp=mp, seconds=seconds,
                           module_seconds=module_seconds, truth_clean=truth_clean,
                           own=float(np.mean([psnr(mse(i, r)) for i, r in zip(images, references)])),
                           truth=float(np.mean([psnr(mse(i, t)) for i, t in zip(images, truth)])))
                rows.append(row)
                print(f'{tool.name:24} {sigma:<5g} {label:48} own {row["own"]:.2f} dB  truth {row["truth"]:.2f} dB  '
                      f'{seconds / mp:.2f} s/MP', file=sys.stderr, flush=True)

    with open(os.path.join(work, 'results.tsv'), 'w') as f:
        keys = ['tool', 'noise', 'family', 'setting', 'own', 'truth', 'truth_clean', 'seconds', 'module_seconds', 'mp']
        f.write('\t'.join(keys) + '\n')
        f.writelines('\t'.join(str(r[k]) for k in keys) + '\n' for r in rows)
    print(f'Kodak {first}-{last} as identity DNGs; every setting in {work}/results.tsv; load average {os.getloadavg()[0]:.1f}\n')
    print(summarise(rows, sigmas))
    return 0


if __name__ == '__main__':
    sys.exit(main())
