# Sourced by run.sh and train_carried.sh: where the device machine keeps its NVIDIA Vulkan and
# EGL files, and where run.sh puts Node (/tmp/bin) and Dawn for Node (/tmp/webgpu).
export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
export __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
export XDG_RUNTIME_DIR=/tmp PATH=/tmp/bin:$PATH WEBGPU_NODE=/tmp/webgpu/index.js
